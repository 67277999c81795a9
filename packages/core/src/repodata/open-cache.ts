import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { gunzipBufferSync } from '../compress/gunzip-sync.js';
import { readFullySync } from '../fs/read-fully.js';

/**
 * What gzip members of chunked metadata decompress to, kept on disk between writes (MemberFile).
 *
 * repomd.xml's open-checksum covers a file's whole content, so a write that copies nearly every chunk of
 * the previous one must still hash their content. Decompressing it again is most of that cost (at tens of
 * thousands of packages, tens of megabytes of XML a write); reading it back from here is a fraction of it.
 *
 * An entry is named by the SHA-256 of its member's compressed bytes, and is used only when it is the
 * member's content: its size and CRC-32 must be those the member's own gzip trailer records (the member
 * itself comes from a file whose checksum was verified). Anything else (a damaged, truncated or missing
 * entry) is a miss, and the member is decompressed instead. So the cache can be deleted at any time and
 * changes no byte of what is written, only how long it takes; it is written temporary file then rename,
 * and used from one process at a time (the caller's writer lock covers its directory).
 *
 * Synchronous: the write waits for each member's content in order anyway, and on the few cores of a CI
 * machine a thread of its own saved nothing measurable.
 */
export class OpenContentCache {
  private buffer = Buffer.alloc(0);
  private made = false;
  /** The entries this instance read or wrote: what retainUsed keeps. */
  readonly used = new Set<string>();

  constructor(readonly dir: string) {}

  /** The name of a member's content in the cache. */
  static nameOf(member: Uint8Array): string {
    return createHash('sha256').update(member).digest('hex');
  }

  /**
   * The content of `member`, `openSize` bytes, if the cache has it intact; a view of a buffer reused by the
   * next read, so it must be used (hashed) before then.
   */
  read(name: string, member: Uint8Array, openSize: number): Buffer | undefined {
    this.used.add(name);
    const trailer = gzipTrailer(member);
    if (!trailer || trailer.size !== openSize % 2 ** 32) return undefined;
    let fd: number;
    try {
      fd = openSync(join(this.dir, name), 'r');
    } catch {
      return undefined;
    }
    try {
      // One byte more than expected, to see a longer file as the miss it is.
      if (this.buffer.length < openSize + 1) this.buffer = Buffer.allocUnsafe(Math.max(openSize + 1, this.buffer.length * 2));
      if (readFullySync(fd, this.buffer.subarray(0, openSize + 1), 0) !== openSize) return undefined;
      const content = this.buffer.subarray(0, openSize);
      return crc32(content) === trailer.crc ? content : undefined;
    } catch {
      return undefined;
    } finally {
      closeSync(fd);
    }
  }

  /**
   * The content of a copied member: from the cache if it has it intact, else decompressed (and kept for the
   * next write). `name` is nameOf(member). A view of a reused buffer when from the cache (see read()).
   */
  contentOf(name: string, member: Uint8Array, openSize: number, what: string): Buffer {
    const found = this.read(name, member, openSize);
    if (found) return found;
    const content = gunzipBufferSync(member, what, openSize);
    this.write(name, content);
    return content;
  }

  /** Keeps `content` under `name`. Best effort: a cache that cannot be written is only a slower one. */
  write(name: string, content: Uint8Array): void {
    this.used.add(name);
    try {
      // Synchronous (see above); the store this cache is in exists, so its parent does.
      // eslint-disable-next-line no-restricted-syntax
      if (!this.made) mkdirSync(this.dir, { recursive: true });
      this.made = true;
      const temp = join(this.dir, `.${name}.${process.pid}.tmp`);
      writeFileSync(temp, content);
      renameSync(temp, join(this.dir, name));
    } catch {
      // see above
    }
  }

  /** Removes every entry but those this instance used (see retain). */
  retainUsed(): number {
    return this.retain(this.used);
  }

  /** Removes every entry but `names` (and any temporary file a killed writer left); how many it removed. */
  retain(names: ReadonlySet<string>): number {
    let entries: string[];
    try {
      entries = readdirSync(this.dir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const entry of entries) {
      if (names.has(entry)) continue;
      rmSync(join(this.dir, entry), { force: true, recursive: true });
      removed++;
    }
    return removed;
  }
}

/** CRC-32 and size (mod 2^32) of a gzip member's content, from its last eight bytes (RFC 1952). */
function gzipTrailer(member: Uint8Array): { crc: number; size: number } | undefined {
  if (member.length < 18) return undefined;
  const view = Buffer.from(member.buffer, member.byteOffset, member.length);
  return { crc: view.readUInt32LE(member.length - 8), size: view.readUInt32LE(member.length - 4) };
}
