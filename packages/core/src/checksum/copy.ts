import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { ioError } from '../errors/index.js';
import { HashingStream } from './hashing-stream.js';
import type { DigestWithSize } from './hash.js';
import { verifyContent, type ExpectedContent } from './verify.js';

/**
 * Copies `source` to `dest` while hashing it, and fails (removing `dest`) when the content is not what
 * `expected` says. One read serves both the copy and the check. `dest` is fsynced so a later atomic
 * rename publishes complete data.
 */
export async function copyFileVerified(
  source: string,
  dest: string,
  expected: ExpectedContent,
  checksumType = expected.checksum?.type ?? 'sha256',
): Promise<DigestWithSize> {
  const hashing = new HashingStream(checksumType);
  const input = createReadStream(source, { highWaterMark: 1 << 20 });
  const output = createWriteStream(dest, { flush: true });
  let failedOn: 'read' | 'write' = 'read';
  output.on('error', () => (failedOn = 'write'));
  try {
    await pipeline(input, hashing, output);
  } catch (err) {
    await rm(dest, { force: true });
    throw ioError(failedOn, failedOn === 'read' ? source : dest, err);
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
