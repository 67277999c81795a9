import type { Hash } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { createHasher, type ChecksumType, type CompressedFileResult } from '../checksum/index.js';
import { ioError } from '../errors/index.js';
import type { MemberSpan } from './chunk-index.js';

/**
 * A gzip file written as a sequence of members: each append writes one member's bytes and, as
 * CompressedFileWriter does for a single stream, hashes both the bytes on disk and the content they hold.
 */
export class MemberFile {
  private offset = 0;
  private openSize = 0;
  private readonly fileHash: Hash;
  private readonly openHash: Hash;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly checksumType: ChecksumType,
    private readonly fsync: boolean,
  ) {
    this.fileHash = createHasher(checksumType);
    this.openHash = createHasher(checksumType);
  }

  static async create(path: string, checksumType: ChecksumType, fsync: boolean): Promise<MemberFile> {
    try {
      return new MemberFile(path, await open(path, 'wx'), checksumType, fsync);
    } catch (e) {
      throw ioError('create', path, e);
    }
  }

  /** Appends one member: `compressed` is its gzip bytes, `content` what they decompress to. */
  async append(compressed: Uint8Array, content: Uint8Array): Promise<MemberSpan> {
    const span: MemberSpan = [this.offset, compressed.length, content.length];
    this.fileHash.update(compressed);
    this.openHash.update(content);
    try {
      let done = 0;
      while (done < compressed.length) done += (await this.handle.write(compressed, done, compressed.length - done, this.offset + done)).bytesWritten;
    } catch (e) {
      throw ioError('write', this.path, e);
    }
    this.offset += compressed.length;
    this.openSize += content.length;
    return span;
  }

  /** Flushes (when asked to) and closes the file; its checksums and sizes for repomd.xml. */
  async end(): Promise<CompressedFileResult> {
    try {
      if (this.fsync) await this.handle.sync();
      await this.handle.close();
    } catch (e) {
      throw ioError('write', this.path, e);
    }
    return {
      path: this.path,
      compression: 'gz',
      checksum: { type: this.checksumType, value: this.fileHash.digest('hex'), size: this.offset },
      openChecksum: { type: this.checksumType, value: this.openHash.digest('hex'), size: this.openSize },
    };
  }

  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.path, { force: true });
  }
}
