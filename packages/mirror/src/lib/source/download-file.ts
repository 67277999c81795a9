import { createHash } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ByteCounter, ErrorCodes, fileSizeLimit, makeDirectory, OvirtRepoError, redactUrl, tempPathFor, type ReadClient } from '@ovirt-repo/core';
import { hashAlgorithm } from '../store/pool.js';

export interface ExpectedMetadata {
  checksumType: string;
  checksum: string;
  size?: number;
}

/**
 * Download `url` to `dest` (temp file + rename), verifying size and checksum; retried on transient failures.
 * It may not be larger than the size repomd.xml declares, or without one `maxSize` (core's default when
 * undefined): a larger Content-Length is refused before reading, and a body is cut off (the transfer
 * aborted, the temp file removed) as soon as it passes.
 */
export async function downloadVerified(client: ReadClient, url: URL, dest: string, expected: ExpectedMetadata, maxSize?: number): Promise<number> {
  const where = redactUrl(url.href);
  await makeDirectory(dirname(dest));
  const limit = fileSizeLimit(where, expected.size, maxSize);
  return client.withRetries(where, async () => {
    const { stream, size: announced } = await client.open(url);
    if (announced !== undefined && announced > limit.max) {
      stream.destroy();
      throw limit.announced(announced);
    }
    const tmp = tempPathFor(dest);
    const hash = createHash(hashAlgorithm(expected.checksumType));
    const received = new ByteCounter(limit);
    const fh = await open(tmp, 'wx');
    try {
      try {
        // Leaving the loop (the limit's error included) destroys the stream: the transfer is aborted.
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          received.add(chunk.length);
          hash.update(chunk);
          await fh.write(chunk);
        }
      } catch (e) {
        if (e instanceof OvirtRepoError) throw e;
        throw new OvirtRepoError(ErrorCodes.FETCH, `reading ${where} failed: ${(e as Error).message}`, { target: where, data: { transient: true }, cause: e });
      }
      await fh.close();
      const size = received.bytes;
      if (expected.size !== undefined && size !== expected.size) {
        throw new OvirtRepoError(ErrorCodes.SIZE_MISMATCH, `${where} has ${size} bytes, repomd.xml says ${expected.size}`, {
          target: where,
          hint: 'the repo changed while it was read, or a proxy/mirror serves a stale file; retry later',
          data: { expected: expected.size, actual: size },
        });
      }
      const actual = hash.digest('hex');
      if (actual !== expected.checksum) {
        throw new OvirtRepoError(ErrorCodes.CHECKSUM_MISMATCH, `${where} has ${expected.checksumType} ${actual}, repomd.xml says ${expected.checksum}`, {
          target: where,
          hint: 'the repo changed while it was read, or a proxy/mirror serves a stale file; retry later',
          data: { expected: expected.checksum, actual },
        });
      }
      await rename(tmp, dest);
      return size;
    } catch (e) {
      await fh.close().catch(() => undefined);
      await rm(tmp, { force: true });
      throw e;
    }
  });
}
