import { link, lstat, open, rename, rm, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncPath, makeDirectory, type StoreData } from '@ovirt-repo/core';

/** An error of the data a caller handed in (its stream failed): thrown as it is, never as the store's own. */
export class DataError {
  constructor(readonly error: unknown) {}
}

/**
 * Write `data` into the new file `path` (created with O_EXCL; its directory is made first, and made again
 * if something removed it meanwhile, as remove() prunes empty directories). Returns the bytes written. A
 * failure of the data stream is thrown as a DataError; the file is then removed.
 */
export async function writeNewFile(path: string, data: StoreData, options: { sync: boolean }): Promise<number> {
  const fh = await openNew(path);
  let size = 0;
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      await fh.writeFile(bytes);
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
        await fh.write(chunk);
        size += chunk.length;
      }
    }
    if (options.sync) await fh.sync();
  } catch (e) {
    if (!(typeof data === 'string' || data instanceof Uint8Array)) data.destroy();
    await fh.close().catch(() => undefined);
    await rm(path, { force: true });
    throw e;
  }
  await fh.close();
  return size;
}

async function openNew(path: string): Promise<FileHandle> {
  for (let attempt = 0; ; attempt++) {
    await makeDirectory(dirname(path));
    try {
      return await open(path, 'wx', 0o644);
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
        await link(tmp, path);
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
    await unlink(tmp).catch(() => undefined);
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
