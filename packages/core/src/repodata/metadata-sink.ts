import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import { CompressedFileWriter, type CompressedFileResult, type ChecksumType } from '../checksum/index.js';
import type { WritableCompressionKind } from '../compress/index.js';
import { OvirtRepoError, ioError } from '../errors/index.js';

export interface SinkOptions {
  compression: WritableCompressionKind;
  checksumType: ChecksumType;
  level?: number;
  fsync: boolean;
}

/**
 * Receives the package bodies of one metadata file. The header carries packages="N", so it must precede
 * the bodies: when N is known up front the bodies stream straight into the compressor; otherwise they are
 * spooled uncompressed beside the output and compressed once N is known.
 */
export interface MetadataSink {
  write(body: string): Promise<void>;
  finish(packages: number): Promise<CompressedFileResult>;
  abort(): Promise<void>;
}

export class DirectSink implements MetadataSink {
  private readonly writer: CompressedFileWriter;
  private readonly footer: string;
  private readonly ready: Promise<void>;

  constructor(path: string, options: SinkOptions, header: string, footer: string) {
    this.writer = new CompressedFileWriter(path, options);
    this.footer = footer;
    this.ready = this.writer.write(header);
    this.ready.catch(() => undefined);
  }

  async write(body: string): Promise<void> {
    await this.ready;
    await this.writer.write(body);
  }

  async finish(): Promise<CompressedFileResult> {
    await this.ready;
    await this.writer.write(this.footer);
    return this.writer.end();
  }

  abort(): Promise<void> {
    return this.writer.abort();
  }
}

export class SpoolSink implements MetadataSink {
  private readonly path: string;
  private readonly spoolPath: string;
  private readonly options: SinkOptions;
  private readonly header: (packages: number) => string;
  private readonly footer: string;
  private readonly spool: WriteStream;
  private spoolError: unknown;
  private writer: CompressedFileWriter | undefined;

  constructor(path: string, options: SinkOptions, header: (packages: number) => string, footer: string) {
    this.path = path;
    this.spoolPath = `${path}.spool`;
    this.options = options;
    this.header = header;
    this.footer = footer;
    this.spool = createWriteStream(this.spoolPath);
    this.spool.on('error', (err) => (this.spoolError ??= ioError('write', this.spoolPath, err)));
  }

  async write(body: string): Promise<void> {
    if (this.spoolError) throw this.spoolError;
    if (!this.spool.write(body, 'utf8')) {
      await Promise.race([once(this.spool, 'drain'), once(this.spool, 'close')]).catch(() => undefined);
      if (this.spoolError) throw this.spoolError;
    }
  }

  async finish(packages: number): Promise<CompressedFileResult> {
    this.spool.end();
    await once(this.spool, 'close').catch(() => undefined);
    if (this.spoolError) throw this.spoolError;
    this.writer = new CompressedFileWriter(this.path, this.options);
    await this.writer.write(this.header(packages));
    try {
      for await (const chunk of createReadStream(this.spoolPath, { highWaterMark: 1 << 16 })) {
        await this.writer.write(chunk as Buffer);
      }
    } catch (err) {
      throw err instanceof OvirtRepoError ? err : ioError('read', this.spoolPath, err);
    }
    await this.writer.write(this.footer);
    const result = await this.writer.end();
    await rm(this.spoolPath, { force: true });
    return result;
  }

  async abort(): Promise<void> {
    this.spool.destroy();
    await this.writer?.abort();
    await rm(this.spoolPath, { force: true });
    await rm(this.path, { force: true });
  }
}
