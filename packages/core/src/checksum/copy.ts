import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ErrorCodes, OvirtRepoError, ioError } from '../errors/index.js';
import { openRegularFile } from '../fs/regular-file.js';
import { HashingStream } from './hashing-stream.js';
import type { DigestWithSize } from './hash.js';
import { limitStream } from './size-limit.js';
import { verifyContent, type ExpectedContent } from './verify.js';

/**
 * Copies `source` to `dest` while hashing it, and fails (removing `dest`) when the content is not what
 * `expected` says. One read serves both the copy and the check. `dest` is fsynced so a later atomic
 * rename publishes complete data. `source` must be a regular file (see openRegularFile), and the copy
 * stops as soon as it has more bytes than `expected.size`.
 */
export async function copyFileVerified(
  source: string,
  dest: string,
  expected: ExpectedContent,
  checksumType = expected.checksum?.type ?? 'sha256',
): Promise<DigestWithSize> {
  let input: Readable;
  try {
    input = (await openRegularFile(source)).createReadStream({ highWaterMark: 1 << 20 });
  } catch (err) {
    throw err instanceof OvirtRepoError ? err : ioError('read', source, err);
  }
  const hashing = new HashingStream(checksumType);
  const output = createWriteStream(dest, { flush: true });
  let failedOn: 'read' | 'write' = 'read';
  output.on('error', () => (failedOn = 'write'));
  const size = expected.size;
  const stages = size === undefined ? [hashing] : [limitStream({ max: size, exceeded: (seen) => tooLarge(source, size, seen) }), hashing];
  try {
    await pipeline([input, ...stages, output]);
  } catch (err) {
    await rm(dest, { force: true });
    throw err instanceof OvirtRepoError ? err : ioError(failedOn, failedOn === 'read' ? source : dest, err);
  }
  const actual = hashing.result();
  try {
    verifyContent(source, expected, actual);
  } catch (err) {
    await rm(dest, { force: true });
    throw err;
  }
  return actual;
}

function tooLarge(source: string, size: number, seen: number): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.SIZE_MISMATCH, `${source} is larger than the ${size} bytes expected (stopped after ${seen} bytes)`, {
    target: source,
    hint: 'the file is not the one its metadata describes (replaced, or growing); fetch it again or regenerate the metadata',
    data: { expected: size, actual: seen },
  });
}
