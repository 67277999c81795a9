import { closeSync, fsync, linkSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { lstat, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { fsyncPath, makeDirectory, type StoreData } from '@ovirt-repo/core';

/** An error of the data a caller handed in (its stream failed): thrown as it is, never as the store's own. */
export class DataError {
  constructor(readonly error: unknown) {}
}

/**
 * Write `data` into the new file `path` (created with O_EXCL; its directory is made first, and made again
 * if something removed it meanwhile, as remove() prunes empty directories). Returns the bytes written. A
 * failure of the data stream is thrown as a DataError; the file is then removed.
 *
 * Opening, writing and closing are synchronous system calls: each copies into the page cache in
 * microseconds, and a sync writes thousands of small files, where a round trip per call through libuv's
 * thread pool cost more than the calls. Only the fsync, which waits for the disk, goes through the pool.
 */
export async function writeNewFile(path: string, data: StoreData, options: { sync: boolean }): Promise<number> {
  const fd = await openNew(path);
  let size = 0;
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      writeAll(fd, bytes);
      size = bytes.length;
    } else {
      const it = (data as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
      for (;;) {
        let r: IteratorResult<Buffer | string>;
        try {
          r = await it.next();
        } catch (e) {
          throw new DataError(e);
        }
        if (r.done) break;
        const chunk = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
        writeAll(fd, chunk);
        size += chunk.length;
      }
    }
    if (options.sync) await fsyncFd(fd);
  } catch (e) {
    if (!(typeof data === 'string' || data instanceof Uint8Array)) data.destroy();
    closeQuietly(fd);
    await rm(path, { force: true });
    throw e;
  }
  closeSync(fd);
  return size;
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
}

const fsyncFd = promisify(fsync);

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // The write already failed; that error is the one to report.
  }
}

async function openNew(path: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    await makeDirectory(dirname(path));
    try {
      return openSync(path, 'wx', 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 2) throw e;
    }
  }
}

/**
 * Give the complete file `tmp` its final name `path`, never replacing anything there: a hard link (which
 * fails when `path` exists), then the temp name goes. True when it took the name. Filesystems without hard
 * links get a check then a rename, which two writers racing for one name could both pass. The directory
 * is made again if it was pruned meanwhile.
 */
export async function linkIntoPlace(tmp: string, path: string): Promise<boolean> {
  try {
    return await retryPruned(path, async () => {
      try {
        linkSync(tmp, path);
        return true;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') return false;
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
      }
      if (await lstat(path).catch(() => undefined)) return false;
      await rename(tmp, path);
      return true;
    });
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // Gone already (renamed into place, or never made).
    }
  }
}

/** Rename `from` over `to` (a directory pruned meanwhile is made again), and make the rename durable. */
export async function renameDurably(from: string, to: string): Promise<void> {
  await retryPruned(to, () => rename(from, to));
  await fsyncPath(dirname(to));
}

/** Run `step`, which puts something at `path`; when it fails because `path`'s directory vanished, make it and retry. */
async function retryPruned<T>(path: string, step: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await step();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 2) throw e;
      await makeDirectory(dirname(path));
    }
  }
}
