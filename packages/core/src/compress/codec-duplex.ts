import { Duplex } from 'node:stream';
import type { LegacyCodecStream } from './native-codecs.js';

/** Verifies the first `bytes` bytes (or the whole input when shorter) before the codec sees them. */
export interface HeadCheck {
  bytes: number;
  check(head: Buffer): Error | undefined;
}

/**
 * Puts a codec stream of any vintage (zlib, lzma-native's readable-stream, `through`) behind a core Duplex,
 * so that backpressure is honoured end to end and every error leaves as the OvirtRepoError `mapError` makes,
 * naming the file and codec. The codecs themselves emit bare errors ("incorrect header check") that would
 * tell a user nothing about which of several metadata files is broken.
 */
export class CodecDuplex extends Duplex {
  private readonly inner: LegacyCodecStream;
  private readonly mapError: (err: unknown) => Error;
  private innerPaused = false;
  private innerEnded = false;
  private finalCallback: ((err?: Error | null) => void) | undefined;
  /** Pending while the first bytes are still being collected for the head check. */
  private head: { check: HeadCheck; chunks: Buffer[]; length: number } | undefined;

  constructor(inner: LegacyCodecStream, mapError: (err: unknown) => Error, headCheck?: HeadCheck) {
    super();
    this.inner = inner;
    this.mapError = mapError;
    if (headCheck) this.head = { check: headCheck, chunks: [], length: 0 };
    inner.on('data', (chunk: Buffer) => {
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
    let ok: boolean;
    try {
      ok = this.inner.write(chunk);
    } catch (err) {
      callback(this.mapError(err));
      return;
    }
    if (ok) callback();
    else this.inner.once('drain', () => callback());
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
    try {
      this.inner.end();
    } catch (err) {
      this.finalCallback = undefined;
      callback(this.mapError(err));
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
