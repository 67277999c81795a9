import type { Hash } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { createHasher, type ChecksumType, type CompressedFileResult } from '../checksum/index.js';
import { gunzipBufferSync } from '../compress/gunzip-sync.js';
import { ErrorCodes, OvirtRepoError, ioError } from '../errors/index.js';
import type { MemberSpan } from './chunk-index.js';
import { OpenContentCache } from './open-cache.js';

const MAX_WRITES = 16;
/** At most this many bytes in one write of members copied one after another. */
const MAX_RUN = 8 << 20;

/** True when `next` starts in the same memory right where `bytes` ends. */
const follows = (bytes: Uint8Array, next: Uint8Array) => bytes.buffer === next.buffer && bytes.byteOffset + bytes.length === next.byteOffset;

/**
 * A gzip file written as a sequence of members: each append writes one member's bytes and, as
 * CompressedFileWriter does for a single stream, hashes both the bytes on disk and the content they hold
 * (repomd's open-checksum). A member copied from an earlier file must still have its content hashed: it
 * comes from `cache` when that has it intact, else the member is decompressed (and its content kept there
 * for the next write). See OpenContentCache.
 * Writes go to known offsets, so they are issued without waiting for the previous one (a few hundred
 * members would otherwise each wait a thread-pool round trip), members copied one after another from one
 * earlier file in one write; end() waits for them all.
 */
export class MemberFile {
  private offset = 0;
  private readonly writing: Array<Promise<void>> = [];
  private failure: unknown;
  private readonly fileHash: Hash;
  private readonly openHash: Hash;
  private openSize = 0;
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
    private readonly cache: OpenContentCache | undefined,
  ) {
    this.fileHash = createHasher(checksumType);
    this.openHash = createHasher(checksumType);
  }

  static async create(path: string, checksumType: ChecksumType, fsync: boolean, cache?: OpenContentCache): Promise<MemberFile> {
    try {
      return new MemberFile(path, await open(path, 'wx'), checksumType, fsync, cache);
    } catch (e) {
      throw ioError('create', path, e);
    }
  }

  /** Appends one member: `compressed` is its gzip bytes, `content` what they decompress to. */
  async append(compressed: Uint8Array, content: Uint8Array): Promise<MemberSpan> {
    if (this.failure) throw this.failure;
    this.hashContent(content);
    this.cache?.write(OpenContentCache.nameOf(compressed), content);
    return this.write(compressed, content.length);
  }

  /**
   * Appends a member copied from an earlier file, whose content is `openSize` bytes; a member that does not
   * decompress to that size fails the file.
   */
  async appendCopy(compressed: Uint8Array, openSize: number, what: string): Promise<MemberSpan> {
    if (this.failure) throw this.failure;
    const content = this.cache ? this.cache.contentOf(OpenContentCache.nameOf(compressed), compressed, openSize, what) : gunzipBufferSync(compressed, what, openSize);
    if (content.length !== openSize) {
      throw new OvirtRepoError(ErrorCodes.REPODATA_INVALID, `${what} holds ${content.length} bytes, its index says ${openSize}`, {
        hint: 'the earlier metadata does not match its chunk layout; the next sync reads its files whole',
      });
    }
    this.hashContent(content);
    return this.write(compressed, openSize);
  }

  private hashContent(content: Uint8Array): void {
    this.openHash.update(content);
    this.openSize += content.length;
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
    const open = { value: this.openHash.digest('hex'), size: this.openSize };
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
