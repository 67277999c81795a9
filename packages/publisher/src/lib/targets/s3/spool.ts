import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ErrorCodes, MAX_PUT_BYTES, OvirtRepoError } from '@ovirt-repo/core';

/**
 * Copy a stream of unknown length into the local file `path`, at most `max` bytes (one PutObject's limit):
 * S3 needs an upload's length before its first byte, Ceph RGW 16 refuses uploads without one (411), and a
 * spooled file can be sent again after a transient failure, which a stream cannot. A source that fails or
 * runs past `max` leaves no file.
 */
export async function spoolToFile(source: Readable, path: string, max = MAX_PUT_BYTES): Promise<string> {
  let bytes = 0;
  const bounded = async function* (chunks: AsyncIterable<Buffer | string>) {
    for await (const chunk of chunks) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      bytes += buf.length;
      if (bytes > max) {
        throw new OvirtRepoError(ErrorCodes.TARGET, `a stream to upload is larger than ${max} bytes, the most one S3 PutObject may carry`, {
          hint: 'objects this large are not supported by the s3 target',
          data: { maxBytes: max },
        });
      }
      yield buf;
    }
  };
  try {
    await pipeline(source, bounded, createWriteStream(path, { mode: 0o600 }));
  } catch (e) {
    await rm(path, { force: true });
    throw e;
  }
  return path;
}
