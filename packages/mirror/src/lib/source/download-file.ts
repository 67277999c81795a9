import { createHash } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ErrorCodes, ioError, OvirtRepoError, redactUrl, tempPathFor, type ReadClient } from '@ovirt-repo/core';
import { hashAlgorithm } from '../store/pool.js';

export interface ExpectedMetadata {
  checksumType: string;
  checksum: string;
  size?: number;
}

/** Download `url` to `dest` (temp file + rename), verifying size and checksum; retried on transient failures. */
export async function downloadVerified(client: ReadClient, url: URL, dest: string, expected: ExpectedMetadata): Promise<number> {
  const where = redactUrl(url.href);
  await mkdir(dirname(dest), { recursive: true }).catch((e) => {
    throw ioError('create directory', dirname(dest), e);
  });
  return client.withRetries(where, async () => {
    const { stream } = await client.open(url);
    const tmp = tempPathFor(dest);
    const hash = createHash(hashAlgorithm(expected.checksumType));
    let size = 0;
    const fh = await open(tmp, 'wx');
    try {
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          size += chunk.length;
          hash.update(chunk);
          await fh.write(chunk);
        }
      } catch (e) {
        if (e instanceof OvirtRepoError) throw e;
        throw new OvirtRepoError(ErrorCodes.FETCH, `reading ${where} failed: ${(e as Error).message}`, { target: where, data: { transient: true }, cause: e });
      }
      await fh.close();
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
