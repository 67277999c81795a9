import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { ioError } from '../errors/index.js';
import { nodeHashAlgorithm, type ChecksumType } from './types.js';

export interface Digest {
  type: ChecksumType;
  /** Lower-case hex. */
  value: string;
}

export interface DigestWithSize extends Digest {
  /** Bytes hashed. */
  size: number;
}

export function createHasher(type: ChecksumType): Hash {
  return createHash(nodeHashAlgorithm(type));
}

export function hashBuffer(data: Uint8Array | string, type: ChecksumType): Digest {
  return { type, value: createHasher(type).update(data).digest('hex') };
}

/** Hashes a stream to its end; errors of the stream propagate unchanged. */
export async function hashStream(source: Readable, type: ChecksumType): Promise<DigestWithSize> {
  const hash = createHasher(type);
  let size = 0;
  for await (const chunk of source) {
    const bytes = chunk as Buffer;
    hash.update(bytes);
    size += bytes.length;
  }
  return { type, value: hash.digest('hex'), size };
}

/** Checksum and size of a file; E_IO naming the path when it cannot be read. */
export async function hashFile(path: string, type: ChecksumType): Promise<DigestWithSize> {
  try {
    return await hashStream(createReadStream(path, { highWaterMark: 1 << 20 }), type);
  } catch (err) {
    throw ioError('read', path, err);
  }
}
