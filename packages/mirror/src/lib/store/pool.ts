import { createHash, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ErrorCodes, OvirtRepoError, isDeferredCreateCapable, type PreparedObject, type Store } from '@ovirt-repo/core';
import { POOL_DIR, poolHref } from './layout.js';
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

/** 'present' when the pool holds the file with the right size; 'corrupt' when it holds a wrong one. */
export async function poolEntryState(store: Store, digest: string, name: string, size: number): Promise<'present' | 'missing' | 'corrupt'> {
  return poolEntryStateAt(store, poolHref(digest, name), size);
}

/** poolEntryState by a pool href already made with poolHref (so its parts are validated). */
export async function poolEntryStateAt(store: Store, href: string, size: number): Promise<'present' | 'missing' | 'corrupt'> {
  const st = await store.stat(href, { objectOnly: true });
  if (!st) return 'missing';
  return st.type === 'object' && st.size === size ? 'present' : 'corrupt';
}

/** A verified file written beside its pool entry, not yet visible under its final name. */
export interface StagedPoolFile {
  size: number;
  /** Where commit() puts it (the store's location of `pool/<dd>/<digest>/<name>`). */
  finalPath: string;
  /**
   * Put it into place (never over an existing entry). By default it is made durable on its own;
   * `synced: true` says the caller flushed the pool (flushPool) since the file was written and will flush
   * it again before anything refers to the new entry.
   */
  commit(options?: { synced?: boolean }): Promise<void>;
  /** Remove it (the sync failed before it was committed). */
  discard(): Promise<void>;
}

/**
 * Stream `input` into the pool as `pool/<dd>/<digest>/<name>`, hashed and counted on the way and checked
 * against `expected`, then put into place create-only. A file that is not exactly what metadata promised
 * never appears under its final name; an existing entry is never overwritten (a concurrent sync that got
 * there first wrote the same verified bytes), except a damaged one with `replaceCorrupt`. `onBytes`
 * reports progress. Returns the number of bytes written.
 */
export async function writePoolFile(
  store: Store,
  name: string,
  expected: ExpectedFile,
  input: Readable,
  where: string,
  onBytes?: (n: number) => void,
  replaceCorrupt = false,
): Promise<number> {
  const staged = await stagePoolFile(store, name, expected, input, where, onBytes, replaceCorrupt);
  await staged.commit();
  return staged.size;
}

/**
 * The first half of writePoolFile: the bytes written aside and verified. The second half (commit) is what
 * waits on the disk; a sync commits files in batches of its own (see download-to-pool.ts), so downloads go
 * on while the disk syncs, and one flush of the pool serves a batch. A store that cannot write aside puts
 * the file into place at once (commit then does nothing).
 */
export async function stagePoolFile(
  store: Store,
  name: string,
  expected: ExpectedFile,
  input: Readable,
  where: string,
  onBytes?: (n: number) => void,
  replaceCorrupt = false,
): Promise<StagedPoolFile> {
  const key = poolHref(expected.digest, name);
  let size = 0;
  const verified = Readable.from(
    verifiedBytes(input, { ...expected, hash: createHash(hashAlgorithm(expected.checksumType)) }, where, (n) => {
      size += n;
      onBytes?.(n);
    }),
  );
  let prepared: PreparedObject | undefined;
  try {
    if (isDeferredCreateCapable(store)) prepared = await store.prepare(key, verified);
    else {
      if (replaceCorrupt) await store.remove(key);
      await store.create(key, verified);
    }
  } catch (e) {
    input.destroy();
    throw e;
  }
  let settled = false;
  return {
    size,
    finalPath: store.locationOf(key),
    discard: async () => {
      if (settled) return;
      settled = true;
      await prepared?.discard();
    },
    commit: async (options = {}) => {
      if (settled || !prepared) return;
      settled = true;
      if (replaceCorrupt) await store.remove(key);
      await prepared.commit({ flushed: options.synced });
    },
  };
}

/**
 * The bytes of `input`, checked as stagePoolFile checks them (the stream fails on a size or checksum
 * mismatch): for a copy looked at before it goes into the pool (mirror sync --gpgcheck).
 */
export function verifiedStream(input: Readable, expected: ExpectedFile, where: string, onBytes?: (n: number) => void): Readable {
  return Readable.from(verifiedBytes(input, { ...expected, hash: createHash(hashAlgorithm(expected.checksumType)) }, where, (n) => onBytes?.(n)));
}

/** Make what was written to the pool durable at once; false when the store cannot (commit each then). */
export async function flushPool(store: Store): Promise<boolean> {
  return isDeferredCreateCapable(store) ? store.flush(POOL_DIR) : false;
}

/**
 * The bytes of `input`, checked as they pass: more than `expected.size` stops at once (E_SIZE_MISMATCH), and
 * at the end the size and checksum must match (E_CHECKSUM_MISMATCH), before the store makes anything visible.
 */
async function* verifiedBytes(input: Readable, expected: ExpectedFile & { hash: Hash }, where: string, onBytes: (n: number) => void): AsyncGenerator<Buffer> {
  const { hash } = expected;
  let size = 0;
  try {
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
      yield chunk;
      onBytes(chunk.length);
    }
  } finally {
    input.destroy();
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
