import { Transform, type TransformCallback } from 'node:stream';

/**
 * The most bytes something from outside may have (a download, a file, what a file decompresses to), and
 * the error to fail with once it has more. Whoever sets the limit words the error, because only it knows
 * why the limit is what it is (a size repomd.xml declares, a configured ceiling...).
 */
export interface SizeLimit {
  readonly max: number;
  /** The error once `seen` bytes (more than `max`) arrived. */
  exceeded(seen: number): Error;
}

/** Counts bytes against a limit; `add` throws the limit's error as soon as the count passes it. */
export class ByteCounter {
  private count = 0;

  constructor(private readonly limit?: SizeLimit) {}

  add(bytes: number): void {
    this.count += bytes;
    if (this.limit && this.count > this.limit.max) throw this.limit.exceeded(this.count);
  }

  get bytes(): number {
    return this.count;
  }
}

/** A pass-through that fails with the limit's error as soon as more than `limit.max` bytes went through. */
export function limitStream(limit: SizeLimit): Transform {
  const counter = new ByteCounter(limit);
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      try {
        counter.add(chunk.length);
      } catch (err) {
        callback(err as Error);
        return;
      }
      callback(null, chunk);
    },
  });
}
