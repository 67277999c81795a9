import type { Hash } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { createHasher, type ChecksumType, type CompressedFileResult } from '../checksum/index.js';
import { ioError } from '../errors/index.js';
import type { MemberSpan } from './chunk-index.js';
import { inThreadOpenHasher, type OpenHasher } from './open-hash.js';

const MAX_WRITES = 16;
/** At most this many bytes in one write of members copied one after another. */
const MAX_RUN = 8 << 20;

/** True when `next` starts in the same memory right where `bytes` ends. */
const follows = (bytes: Uint8Array, next: Uint8Array) => bytes.buffer === next.buffer && bytes.byteOffset + bytes.length === next.byteOffset;

/**
 * A gzip file written as a sequence of members: each append writes one member's bytes and, as
 * CompressedFileWriter does for a single stream, hashes both the bytes on disk and the content they hold
 * (the latter through an OpenHasher, which may run on another thread).
 * Writes go to known offsets, so they are issued without waiting for the previous one (a few hundred
 * members would otherwise each wait a thread-pool round trip), members copied one after another from one
 * earlier file in one write; end() waits for them all.
 */
export class MemberFile {
  private offset = 0;
  private readonly writing: Array<Promise<void>> = [];
  private failure: unknown;
  private readonly fileHash: Hash;
  /**
   * Members not written yet that lie one after another in one buffer (chunks copied from an earlier file,
   * one after another there too): written together, one write instead of one per member.
   */
  private run: { bytes: Uint8Array; at: number } | undefined;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly checksumType: ChecksumType,
    private readonly fsync: boolean,
    private readonly openHash: OpenHasher,
  ) {
    this.fileHash = createHasher(checksumType);
  }

  /** `openHash` defaults to hashing on this thread. */
  static async create(path: string, checksumType: ChecksumType, fsync: boolean, openHash?: OpenHasher): Promise<MemberFile> {
    try {
      return new MemberFile(path, await open(path, 'wx'), checksumType, fsync, openHash ?? inThreadOpenHasher(checksumType));
    } catch (e) {
      throw ioError('create', path, e);
    }
  }

  /** Appends one member: `compressed` is its gzip bytes, `content` what they decompress to. */
  async append(compressed: Uint8Array, content: Uint8Array): Promise<MemberSpan> {
    if (this.failure) throw this.failure;
    this.openHash.update(content, compressed);
    return this.write(compressed, content.length);
  }

  /**
   * Appends a member copied from an earlier file, whose content is `openSize` bytes: its content is hashed
   * from the member itself, and a member that does not decompress to that size fails the file. `key`: see
   * OpenHasher.updateGzip.
   */
  async appendCopy(compressed: Uint8Array, openSize: number, what: string, key?: string): Promise<MemberSpan> {
    if (this.failure) throw this.failure;
    this.openHash.updateGzip(compressed, openSize, what, key);
    return this.write(compressed, openSize);
  }

  private async write(compressed: Uint8Array, openSize: number): Promise<MemberSpan> {
    const span: MemberSpan = [this.offset, compressed.length, openSize];
    this.fileHash.update(compressed);
    const run = this.run;
    if (run && follows(run.bytes, compressed) && run.bytes.length + compressed.length <= MAX_RUN) {
      run.bytes = new Uint8Array(run.bytes.buffer, run.bytes.byteOffset, run.bytes.length + compressed.length);
    } else {
      this.flush();
      this.run = { bytes: compressed, at: this.offset };
    }
    this.offset += compressed.length;
    // Bounded, so a fast producer does not hold every member in memory at once.
    if (this.writing.length > MAX_WRITES) await this.writing.shift();
    return span;
  }

  /** Starts writing the run of members gathered so far. */
  private flush(): void {
    const run = this.run;
    this.run = undefined;
    if (!run) return;
    const write = this.writeAt(run.bytes, run.at);
    write.catch((e: unknown) => (this.failure ??= e));
    this.writing.push(write);
  }

  private async writeAt(bytes: Uint8Array, at: number): Promise<void> {
    try {
      let done = 0;
      while (done < bytes.length) done += (await this.handle.write(bytes, done, bytes.length - done, at + done)).bytesWritten;
    } catch (e) {
      throw ioError('write', this.path, e);
    }
  }

  /** Flushes (when asked to) and closes the file; its checksums and sizes for repomd.xml. */
  async end(): Promise<CompressedFileResult> {
    this.flush();
    await Promise.all(this.writing.splice(0));
    if (this.failure) throw this.failure;
    const open = await this.openHash.digest();
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
      openChecksum: { type: this.checksumType, value: open.value, size: open.size },
    };
  }

  async abort(): Promise<void> {
    this.run = undefined;
    await Promise.allSettled(this.writing.splice(0));
    await this.handle.close().catch(() => undefined);
    await rm(this.path, { force: true });
  }
}
