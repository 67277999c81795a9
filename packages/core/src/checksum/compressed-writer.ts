import type { Hash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { compressStream, type WritableCompressionKind } from '../compress/index.js';
import { OvirtRepoError, ioError } from '../errors/index.js';
import { createHasher, type DigestWithSize } from './hash.js';
import { HashingStream } from './hashing-stream.js';
import type { ChecksumType } from './types.js';

export interface CompressedWriterOptions {
  compression: WritableCompressionKind;
  checksumType: ChecksumType;
  /** Codec level; defaults to createrepo_c's. */
  level?: number;
  /** fsync the file before end() resolves (default true), so a later rename publishes complete data. */
  fsync?: boolean;
}

export interface CompressedFileResult {
  path: string;
  compression: WritableCompressionKind;
  /** Of the bytes on disk: repomd's <checksum> and <size>. */
  checksum: DigestWithSize;
  /** Of the content before compression: repomd's <open-checksum> and <open-size>. */
  openChecksum: DigestWithSize;
}

/**
 * Writes content compressed to `path` and, in the same pass, computes checksum and size of both the
 * uncompressed content and the compressed file, which is everything a repomd.xml record needs.
 * `write` resolves once the chunk is accepted; await it to respect backpressure.
 */
export class CompressedFileWriter {
  readonly path: string;
  private readonly options: CompressedWriterOptions;
  private readonly openHash: Hash;
  private openSize = 0;
  private readonly compressor: Duplex;
  private readonly fileHash: HashingStream;
  private readonly done: Promise<void>;
  private failure: unknown;
  private ended = false;

  constructor(path: string, options: CompressedWriterOptions) {
    this.path = path;
    this.options = options;
    this.openHash = createHasher(options.checksumType);
    this.compressor = compressStream(options.compression, { level: options.level, target: path });
    this.fileHash = new HashingStream(options.checksumType);
    const file = createWriteStream(path, { flush: options.fsync ?? true });
    this.done = pipeline(this.compressor, this.fileHash, file).catch((err: unknown) => {
      this.failure = err instanceof OvirtRepoError ? err : ioError('write', path, err);
      throw this.failure;
    });
    // Failures surface through write()/end(); this only keeps an early one from being "unhandled".
    this.done.catch(() => undefined);
  }

  async write(chunk: string | Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (bytes.length === 0) return;
    this.openHash.update(bytes);
    this.openSize += bytes.length;
    if (!this.compressor.write(bytes)) {
      try {
        await Promise.race([once(this.compressor, 'drain'), this.done]);
      } catch (err) {
        // `once` rejects with the raw stream error; report the mapped one the pipeline settles with.
        await this.done.catch(() => undefined);
        throw this.failure ?? err;
      }
    }
  }

  async end(): Promise<CompressedFileResult> {
    if (this.failure) throw this.failure;
    this.ended = true;
    this.compressor.end();
    await this.done;
    return {
      path: this.path,
      compression: this.options.compression,
      checksum: this.fileHash.result(),
      openChecksum: { type: this.options.checksumType, value: this.openHash.digest('hex'), size: this.openSize },
    };
  }

  /** Stops writing and removes the partial file. */
  async abort(): Promise<void> {
    if (!this.ended) this.compressor.destroy();
    await this.done.catch(() => undefined);
    await rm(this.path, { force: true });
  }
}
