import type { Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { createHasher, type DigestWithSize } from './hash.js';
import type { ChecksumType } from './types.js';

/**
 * A pass-through that hashes and counts what flows through it, so a checksum costs no second read.
 * `result()` is valid once the stream has finished.
 */
export class HashingStream extends Transform {
  readonly type: ChecksumType;
  private readonly hash: Hash;
  private bytes = 0;
  private digest: string | undefined;

  constructor(type: ChecksumType) {
    super();
    this.type = type;
    this.hash = createHasher(type);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.digest = this.hash.digest('hex');
    callback();
  }

  /** Bytes seen so far. */
  get size(): number {
    return this.bytes;
  }

  result(): DigestWithSize {
    if (this.digest === undefined) {
      throw new OvirtRepoError(ErrorCodes.INTERNAL, 'HashingStream.result() called before the stream finished');
    }
    return { type: this.type, value: this.digest, size: this.bytes };
  }
}
