import { Transform, type TransformCallback } from 'node:stream';
import { Decompress } from 'fzstd';
import { ByteCounter, type SizeLimit } from '../checksum/size-limit.js';
import { ZstdFrameCheck } from './zstd-frames.js';

/**
 * zstd without a native module: the WASM build of libzstd compresses, fzstd (pure JS, ~180 MB/s here)
 * decompresses as a true stream.
 *
 * @hpcc-js/wasm-zstd keeps a single streaming context per process, so three metadata files compressed in
 * parallel would corrupt each other. Instead each 1 MiB of input becomes an independent zstd frame made by
 * the one-shot API. Concatenated frames are a valid zstd stream (zstd -dc, libzstd's streaming decoder that
 * libsolv uses for dnf, fzstd); on repodata the ratio measured no worse than one long frame, and the output
 * is a pure function of input and level, which keeps repodata reproducible.
 */

const FRAME_INPUT_BYTES = 1 << 20;

/** createrepo_c 1.x's zstd level. */
export const ZSTD_DEFAULT_LEVEL = 10;

interface ZstdApi {
  compress(data: Uint8Array, level?: number): Uint8Array;
}

let wasm: Promise<ZstdApi> | undefined;

export function loadZstdWasm(): Promise<ZstdApi> {
  wasm ??= import('@hpcc-js/wasm-zstd').then((m) => m.Zstd.load());
  return wasm;
}

export class ZstdCompressTransform extends Transform {
  private readonly level: number;
  private readonly mapError: (err: unknown) => Error;
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private framesWritten = 0;

  constructor(level: number, mapError: (err: unknown) => Error) {
    super();
    this.level = level;
    this.mapError = mapError;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    if (this.pendingLength < FRAME_INPUT_BYTES) {
      callback();
      return;
    }
    this.emitFrames(false).then(
      () => callback(),
      (err: unknown) => callback(this.mapError(err)),
    );
  }

  override _flush(callback: TransformCallback): void {
    this.emitFrames(true).then(
      () => callback(),
      (err: unknown) => callback(this.mapError(err)),
    );
  }

  private async emitFrames(final: boolean): Promise<void> {
    const zstd = await loadZstdWasm();
    let input = Buffer.concat(this.pending, this.pendingLength);
    this.pending = [];
    this.pendingLength = 0;
    while (input.length >= FRAME_INPUT_BYTES || (final && input.length > 0)) {
      const frame = input.subarray(0, FRAME_INPUT_BYTES);
      input = input.subarray(frame.length);
      this.push(toBuffer(zstd.compress(frame, this.level)));
      this.framesWritten++;
    }
    // Even empty content gets one frame, so the file is a valid zstd stream and not zero bytes.
    if (final && this.framesWritten === 0) this.push(toBuffer(zstd.compress(new Uint8Array(0), this.level)));
    if (input.length > 0) {
      this.pending.push(input);
      this.pendingLength = input.length;
    }
  }

}

export class ZstdDecompressTransform extends Transform {
  private readonly decoder: Decompress;
  private readonly frames: ZstdFrameCheck;
  private readonly mapError: (err: unknown) => Error;

  /**
   * `limit` is counted as the decoder produces each block, and its error thrown from inside: fzstd decodes
   * all it was given in one call, and a few kilobytes of input can be gigabytes of output.
   */
  constructor(mapError: (err: unknown) => Error, tooLargeWindow: (window: number) => Error, limit?: SizeLimit) {
    super();
    this.mapError = mapError;
    this.frames = new ZstdFrameCheck(tooLargeWindow);
    const counter = new ByteCounter(limit);
    this.decoder = new Decompress((data) => {
      counter.add(data.length);
      if (data.length > 0) this.push(toBuffer(data));
    });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.frames.check(chunk);
      this.decoder.push(chunk);
    } catch (err) {
      callback(this.mapError(err));
      return;
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.decoder.push(new Uint8Array(0), true);
    } catch (err) {
      callback(this.mapError(err));
      return;
    }
    callback();
  }
}

function toBuffer(data: Uint8Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.length);
}
