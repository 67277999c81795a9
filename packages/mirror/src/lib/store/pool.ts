import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { link, open, rename, rm, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { ErrorCodes, OvirtRepoError, fsyncPath, ioError, makeDirectory, tempPathFor } from '@ovirt-repo/core';
import { poolFile, poolHref, type StoreLayout } from './layout.js';
import { DIGEST_LENGTHS } from './names.js';

/** What metadata promises about a package file. */
export interface ExpectedFile {
  checksumType: string;
  digest: string;
  size: number;
}

/** Node's name for a repodata checksum type. */
export function hashAlgorithm(type: string): string {
  if (type === 'sha') return 'sha1';
  if (DIGEST_LENGTHS[type] === undefined) {
    throw new OvirtRepoError(ErrorCodes.REPODATA_INVALID, `unsupported checksum type "${type}"`, {
      hint: 'supported: md5, sha1, sha224, sha256, sha384, sha512',
    });
  }
  return type;
}

/**
 * 'present' when the pool holds the file with the right size; 'corrupt' when it holds a wrong one.
 * Synchronous on purpose: a sync checks every selected package (tens of thousands in a big repo), and a
 * stat through the thread pool costs about ten times the system call itself.
 */
export function poolEntryState(layout: StoreLayout, digest: string, name: string, size: number): 'present' | 'missing' | 'corrupt' {
  return poolEntryStateAt(layout, poolHref(digest, name), size);
}

/** poolEntryState by a pool href already made with poolHref (so its parts are validated). */
export function poolEntryStateAt(layout: StoreLayout, href: string, size: number): 'present' | 'missing' | 'corrupt' {
  const path = `${layout.root}/${href}`;
  let st;
  try {
    st = statSync(path, { throwIfNoEntry: false });
  } catch (e) {
    throw ioError('stat', path, e);
  }
  if (!st) return 'missing';
  return st.isFile() && st.size === size ? 'present' : 'corrupt';
}

/** A verified file written beside its pool entry, not yet visible under its final name. */
export interface StagedPoolFile {
  size: number;
  /** Where commit() puts it: `pool/<dd>/<digest>/<name>`. */
  finalPath: string;
  /**
   * Link it into place (never over an existing entry). By default its bytes are fsynced first and its
   * directory after; `synced: true` says the caller flushed the whole filesystem since the file was written
   * (syncFileSystem) and will flush it again before anything refers to the new entry.
   */
  commit(options?: { synced?: boolean }): Promise<void>;
  /** Remove it (the sync failed before it was committed). */
  discard(): Promise<void>;
}

/**
 * Stream `input` into the pool as `pool/<dd>/<digest>/<name>`: written to a temp file in the same directory,
 * hashed and counted on the way, checked against `expected`, fsynced, then linked into place. A file that is
 * not exactly what metadata promised never appears under its final name; an existing entry is never
 * overwritten (a concurrent sync that got there first wrote the same verified bytes). `onBytes` reports
 * progress. Returns the number of bytes written.
 */
export async function writePoolFile(
  layout: StoreLayout,
  name: string,
  expected: ExpectedFile,
  input: Readable,
  where: string,
  onBytes?: (n: number) => void,
  replaceCorrupt = false,
): Promise<number> {
  const staged = await stagePoolFile(layout, name, expected, input, where, onBytes, replaceCorrupt);
  await staged.commit();
  return staged.size;
}

/**
 * The first half of writePoolFile: the bytes written to a temp file, verified, and the file closed. The
 * second half (commit) is what waits on the disk; a sync commits files in batches of its own (see
 * download-to-pool.ts), so downloads go on while the disk syncs, and one filesystem flush serves a batch.
 */
export async function stagePoolFile(
  layout: StoreLayout,
  name: string,
  expected: ExpectedFile,
  input: Readable,
  where: string,
  onBytes?: (n: number) => void,
  replaceCorrupt = false,
): Promise<StagedPoolFile> {
  const final = poolFile(layout, expected.digest, name);
  const dir = dirname(final);
  try {
    await makeDirectory(dir);
  } catch (e) {
    input.destroy();
    throw e;
  }
  const tmp = tempPathFor(final);
  const hash = createHash(hashAlgorithm(expected.checksumType));
  let size = 0;
  let fh: FileHandle | undefined;
  const fail = async (e: unknown): Promise<never> => {
    input.destroy();
    await fh?.close().catch(() => undefined);
    await rm(tmp, { force: true });
    if (e instanceof OvirtRepoError) throw e;
    throw ioError('store package', where, e);
  };
  try {
    fh = await open(tmp, 'wx', 0o644);
    for await (const chunk of readingFrom(input, where)) {
      size += chunk.length;
      if (size > expected.size) {
        throw new OvirtRepoError(ErrorCodes.SIZE_MISMATCH, `${where} is larger than the ${expected.size} bytes its metadata promises`, {
          target: where,
          hint: 'the source changed under its metadata or the metadata is stale; retry later or regenerate the source repo',
          data: { expected: expected.size },
        });
      }
      hash.update(chunk);
      await fh.write(chunk);
      onBytes?.(chunk.length);
    }
    if (size !== expected.size) {
      throw new OvirtRepoError(ErrorCodes.SIZE_MISMATCH, `${where} has ${size} bytes, expected ${expected.size}`, {
        target: where,
        hint: 'the download was cut short or the source file differs from its metadata; retry, or regenerate the source repo',
        data: { expected: expected.size, actual: size },
      });
    }
    const actual = hash.digest('hex');
    if (actual !== expected.digest) {
      throw new OvirtRepoError(ErrorCodes.CHECKSUM_MISMATCH, `${where} has ${expected.checksumType} ${actual}, expected ${expected.digest}`, {
        target: where,
        hint: 'the source file differs from its metadata (corrupt, replaced, or a stale mirror); nothing was stored. Regenerate the source metadata or pick another mirror',
        data: { type: expected.checksumType, expected: expected.digest, actual },
      });
    }
  } catch (e) {
    return fail(e);
  }
  try {
    await fh.close();
    fh = undefined;
  } catch (e) {
    return fail(e);
  }
  let settled = false;
  return {
    size,
    finalPath: final,
    discard: async () => {
      if (settled) return;
      settled = true;
      await rm(tmp, { force: true });
    },
    commit: async (options = {}) => {
      if (settled) return;
      settled = true;
      try {
        if (!options.synced) await fsyncPath(tmp);
        await linkIntoPlace(tmp, final, replaceCorrupt);
        if (!options.synced) await fsyncPath(dir);
      } catch (e) {
        await fail(e);
      }
    },
  };
}

async function linkIntoPlace(tmp: string, final: string, replace: boolean): Promise<void> {
  if (replace) {
    await rename(tmp, final);
    return;
  }
  try {
    await link(tmp, final);
    await unlink(tmp);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') await unlink(tmp);
    // No hard links on this filesystem: rename (the bytes are verified, so replacing equal bytes is harmless).
    else if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') await rename(tmp, final);
    else throw e;
  }
}

/** The chunks of a download; a failure of the source itself (connection reset, cut short) is a transient E_FETCH. */
async function* readingFrom(input: Readable, where: string): AsyncGenerator<Buffer> {
  const it = (input as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  for (;;) {
    let r: IteratorResult<Buffer>;
    try {
      r = await it.next();
    } catch (e) {
      if (e instanceof OvirtRepoError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      throw new OvirtRepoError(ErrorCodes.FETCH, `reading ${where} failed: ${code ? `${code}: ` : ''}${(e as Error).message}`, {
        target: where,
        hint: 'the connection broke or the file could not be read; the sync retries transient failures',
        data: { transient: true, code },
        cause: e,
      });
    }
    if (r.done) return;
    yield r.value;
  }
}
