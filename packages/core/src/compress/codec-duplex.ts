import { Duplex } from 'node:stream';
import { ByteCounter, type SizeLimit } from '../checksum/size-limit.js';
import type { LegacyCodecStream } from './native-codecs.js';

/**
 * Feeds a codec at most `bytes` of input at a time, each piece only once the one before is processed.
 * For a codec that decodes a whole write in one go before handing out any output (lzma-native on its
 * thread): the output of one write, which is what a limit cannot stop, stays bounded by the piece.
 */
export interface InputSlices {
  bytes: number;
}

/** Verifies the first `bytes` bytes (or the whole input when shorter) before the codec sees them. */
export interface HeadCheck {
  bytes: number;
  check(head: Buffer): Error | undefined;
}

/**
 * Puts a codec stream of any vintage (zlib, lzma-native's readable-stream, `through`) behind a core Duplex,
 * so that backpressure is honoured end to end and every error leaves as the OvirtRepoError `mapError` makes,
 * naming the file and codec. The codecs themselves emit bare errors ("incorrect header check") that would
 * tell a user nothing about which of several metadata files is broken. With a `limit`, the output is
 * counted as the codec makes it, and the codec stopped as soon as it passes the limit.
 */
export class CodecDuplex extends Duplex {
  private readonly inner: LegacyCodecStream;
  private readonly mapError: (err: unknown) => Error;
  private innerPaused = false;
  private innerEnded = false;
  /** Inside inner.write() or end(): a codec that decodes there (bzip2) emits its output right then. */
  private inCodec = false;
  private finalCallback: ((err?: Error | null) => void) | undefined;
  /** Pending while the first bytes are still being collected for the head check. */
  private head: { check: HeadCheck; chunks: Buffer[]; length: number } | undefined;

  private readonly slices: InputSlices | undefined;

  constructor(inner: LegacyCodecStream, mapError: (err: unknown) => Error, headCheck?: HeadCheck, limit?: SizeLimit, slices?: InputSlices) {
    super();
    this.inner = inner;
    this.mapError = mapError;
    this.slices = slices;
    if (headCheck) this.head = { check: headCheck, chunks: [], length: 0 };
    const output = new ByteCounter(limit);
    inner.on('data', (chunk: Buffer) => {
      if (this.destroyed) return;
      try {
        output.add(chunk.length);
      } catch (err) {
        this.destroy(err as Error);
        // Destroying does not stop a codec in the middle of a write: throwing out of its output does.
        if (this.inCodec) throw err;
        return;
      }
      if (!this.push(chunk) && inner.pause) {
        this.innerPaused = true;
        inner.pause();
      }
    });
    inner.on('end', () => {
      this.innerEnded = true;
      this.push(null);
      const cb = this.finalCallback;
      this.finalCallback = undefined;
      cb?.();
    });
    inner.on('error', (err) => this.destroy(this.mapError(err)));
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    const head = this.head;
    if (head) {
      head.chunks.push(chunk);
      head.length += chunk.length;
      if (head.length < head.check.bytes) {
        callback();
        return;
      }
      this.head = undefined;
      chunk = Buffer.concat(head.chunks);
      const bad = head.check.check(chunk);
      if (bad) {
        callback(bad);
        return;
      }
    }
    this.forward(chunk, callback);
  }

  private forward(chunk: Buffer, callback: (err?: Error | null) => void): void {
    if (this.slices) {
      this.forwardSliced(chunk, this.slices.bytes, callback);
      return;
    }
    let ok: boolean;
    this.inCodec = true;
    try {
      ok = this.inner.write(chunk);
    } catch (err) {
      callback(this.mapError(err));
      return;
    } finally {
      this.inCodec = false;
    }
    if (ok) callback();
    else this.inner.once('drain', () => callback());
  }

  private forwardSliced(chunk: Buffer, bytes: number, callback: (err?: Error | null) => void): void {
    let at = 0;
    const next = (err?: unknown): void => {
      if (err) {
        callback(this.mapError(err));
        return;
      }
      // Destroyed (a limit passed, or the reader went away): the rest of the input is not wanted.
      if (this.destroyed || at >= chunk.length) {
        callback();
        return;
      }
      const piece = chunk.subarray(at, at + bytes);
      at += piece.length;
      try {
        this.inner.write(piece, next);
      } catch (e) {
        callback(this.mapError(e));
      }
    };
    next();
  }

  override _final(callback: (err?: Error | null) => void): void {
    const head = this.head;
    if (head) {
      // The whole input was shorter than the magic number: let the check judge it (empty, truncated, wrong).
      this.head = undefined;
      const all = Buffer.concat(head.chunks);
      const bad = head.check.check(all);
      if (bad) {
        callback(bad);
        return;
      }
      if (all.length > 0) {
        this.forward(all, (err) => (err ? callback(err) : this._final(callback)));
        return;
      }
    }
    if (this.innerEnded) {
      callback();
      return;
    }
    this.finalCallback = callback;
    this.inCodec = true;
    try {
      this.inner.end();
    } catch (err) {
      this.finalCallback = undefined;
      callback(this.mapError(err));
    } finally {
      this.inCodec = false;
    }
  }

  override _read(): void {
    if (this.innerPaused && this.inner.resume) {
      this.innerPaused = false;
      this.inner.resume();
    }
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    if (!this.innerEnded) this.inner.destroy?.();
    callback(err);
  }
}
