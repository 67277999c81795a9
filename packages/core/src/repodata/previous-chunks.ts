import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashBuffer } from '../checksum/index.js';
import { decompressBuffer } from '../compress/index.js';
import { ErrorCodes, OvirtRepoError, ioError } from '../errors/index.js';
import { chunkSize, type ChunkIndex, type ChunkReuse, type DeferredPackage, type MetadataChunk, type ReusedChunk } from './chunk-index.js';
import { primaryEntryKey, type RenderedPackage } from './package-entries.js';
import { CORE_RECORD_TYPES as CORE, type CoreRecordType, type Repomd } from './repomd-model.js';
import { assertMetadataHref } from './safe-href.js';

/** The metadata of an earlier chunked write, as a new write reuses it. */
export interface ChunkedMetadata extends ChunkReuse {
  /** True when a chunk holds the package with this key. */
  has(key: string): boolean;
  /** The package with this key, its entries loaded (its chunk decompressed) only if they are needed. */
  deferred(key: string): DeferredPackage;
  /** Packages the chunks hold. */
  readonly packages: number;
  /** Chunk `chunk` (its number in the index) as it is, to give a write whole (see CopiedChunk). */
  copied(chunk: number): ReusedChunk;
  /** deferred() of the package at `position` in chunk `chunk`, known to have this key. */
  deferredAt(chunk: number, position: number, key: string): DeferredPackage;
  /**
   * Decompresses every chunk and checks that it holds exactly the packages the index lists, in its order
   * (for `snapshot verify`; a write checks only the chunks it loads).
   */
  verify(): Promise<void>;
}

const END = '</package>\n';
const STARTS: Record<CoreRecordType, string> = { primary: '<package type="rpm">\n', filelists: '<package pkgid="', other: '<package pkgid="' };

/**
 * Opens the chunked metadata of the repo at `repoDir` as `index` describes it. Checks, before anything is
 * reused, that the index describes the very files repomd.xml lists (checksums and sizes, the bytes
 * verified) and that its members lie inside them in order. Fails with E_REPODATA_INVALID otherwise; the
 * caller then reads the metadata without the index.
 */
export async function openChunkedMetadata(repoDir: string, repomd: Repomd, index: ChunkIndex): Promise<ChunkedMetadata> {
  const files = {} as Record<CoreRecordType, Buffer>;
  for (const type of CORE) {
    const record = repomd.records.find((r) => r.type === type);
    const described = index.files[type];
    const display = join(repoDir, described?.href ?? `repodata/(${type})`);
    if (!record || !described || record.location.href !== described.href || record.checksum.value !== described.checksum || record.checksum.type !== 'sha256') {
      throw invalid(`the chunk index does not describe the ${type} file of ${join(repoDir, 'repodata', 'repomd.xml')}`, display);
    }
    assertMetadataHref(record.location.href, type, join(repoDir, 'repodata', 'repomd.xml'));
    let bytes: Buffer;
    try {
      bytes = await readFile(join(repoDir, record.location.href));
    } catch (e) {
      throw ioError('read', display, e);
    }
    if (bytes.length !== described.size || hashBuffer(bytes, 'sha256').value !== described.checksum) throw invalid(`${display} does not match its checksum`, display);
    checkSpans(index.chunks, type, bytes.length, display);
    files[type] = bytes;
  }
  return new IndexedChunks(files, index);
}

function checkSpans(chunks: readonly MetadataChunk[], type: CoreRecordType, size: number, display: string): void {
  let end = 1;
  for (const c of chunks) {
    const [offset, length, openSize] = c.members[type];
    if (!(offset >= end && length > 0 && openSize > 0 && offset + length <= size) || chunkSize(c) === 0) throw invalid(`the chunk index places a member of ${display} outside the file`, display);
    end = offset + length;
  }
}

function invalid(message: string, target: string): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.REPODATA_INVALID, message, { target, hint: 'the metadata is read and written afresh without the index' });
}

class IndexedChunks implements ChunkedMetadata {
  private where: Map<string, { chunk: number; position: number }> | undefined;
  private readonly loaded = new Map<number, Promise<Record<CoreRecordType, string[]>>>();
  readonly packages: number;

  constructor(
    private readonly files: Readonly<Record<CoreRecordType, Buffer>>,
    private readonly index: ChunkIndex,
  ) {
    this.packages = index.chunks.reduce((n, c) => n + chunkSize(c), 0);
  }

  private get chunks(): readonly MetadataChunk[] {
    return this.index.chunks;
  }

  /** Where each key is; made when first asked (a write that takes whole chunks by number needs none). */
  private get byKey(): Map<string, { chunk: number; position: number }> {
    if (!this.where) {
      const where = (this.where = new Map());
      this.chunks.forEach((c, chunk) => c.keys.forEach((key, position) => where.set(key, { chunk, position })));
    }
    return this.where;
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  find(keys: readonly string[]): ReusedChunk | undefined {
    const at = this.byKey.get(keys[0] ?? '');
    if (!at || at.position !== 0) return undefined;
    const c = this.chunks[at.chunk] as MetadataChunk;
    if (c.keys.length !== keys.length || c.keys.some((k, i) => k !== keys[i])) return undefined;
    return this.copied(at.chunk);
  }

  copied(chunk: number): ReusedChunk {
    const c = this.chunks[chunk];
    if (!c) throw invalid(`the chunk index has no chunk ${chunk}`, String(chunk));
    const out = {} as Record<CoreRecordType, { compressed: Buffer; openSize: number }>;
    for (const type of CORE) {
      const [offset, size, openSize] = c.members[type];
      out[type] = { compressed: this.files[type].subarray(offset, offset + size), openSize };
    }
    return out;
  }

  async verify(): Promise<void> {
    for (const [chunk, c] of this.chunks.entries()) {
      const t = await this.split(chunk);
      c.keys.forEach((key, i) => {
        if (!(t.primary[i] as string).includes(`<location href="${primaryEntryKey(key)}"`)) throw invalid(`the chunk index places ${key} where another package is`, key);
      });
    }
  }

  deferred(key: string): DeferredPackage {
    const at = this.byKey.get(key);
    if (!at) throw invalid(`no chunk holds ${key}`, key);
    return this.deferredAt(at.chunk, at.position, key);
  }

  deferredAt(chunk: number, position: number, key: string): DeferredPackage {
    // A class, not an object with a closure: a deploy makes one per package of the repo.
    return new DeferredEntry(this, chunk, position, key);
  }

  async entriesAt(chunk: number, position: number, key: string): Promise<RenderedPackage> {
    let texts = this.loaded.get(chunk);
    if (!texts) this.loaded.set(chunk, (texts = this.split(chunk)));
    const t = await texts;
    const rendered = { primary: t.primary[position], filelists: t.filelists[position], other: t.other[position] };
    if (rendered.primary === undefined || rendered.filelists === undefined || rendered.other === undefined) throw invalid(`chunk ${chunk} has no package ${position}`, key);
    if (!rendered.primary.includes(`<location href="${primaryEntryKey(key)}"`)) throw invalid(`the chunk index places ${key} where another package is`, key);
    return { key, rendered: rendered as RenderedPackage['rendered'] };
  }

  /** A chunk's entries, decompressed and split; the same count in each file, or the index is wrong. */
  private async split(chunk: number): Promise<Record<CoreRecordType, string[]>> {
    const c = this.chunks[chunk] as MetadataChunk;
    const out = {} as Record<CoreRecordType, string[]>;
    await Promise.all(
      CORE.map(async (type) => {
        const [offset, size] = c.members[type];
        const text = new TextDecoder('utf-8', { fatal: true }).decode(await decompressBuffer('gz', this.files[type].subarray(offset, offset + size), { target: `chunk ${chunk} of ${type}` }));
        const entries = splitEntries(text, STARTS[type]);
        if (!entries || entries.length !== chunkSize(c)) throw invalid(`chunk ${chunk} of ${type} does not hold the ${chunkSize(c)} packages its index lists`, type);
        out[type] = entries;
      }),
    );
    return out;
  }
}

class DeferredEntry implements DeferredPackage {
  constructor(
    private readonly chunks: IndexedChunks,
    private readonly chunk: number,
    private readonly position: number,
    readonly key: string,
  ) {}

  load(): Promise<RenderedPackage> {
    return this.chunks.entriesAt(this.chunk, this.position, this.key);
  }
}

/** Entries laid out back to back, as package-xml.ts writes them; undefined for any other text. */
function splitEntries(text: string, start: string): string[] | undefined {
  const out: string[] = [];
  let pos = 0;
  while (pos < text.length) {
    if (!text.startsWith(start, pos)) return undefined;
    const end = text.indexOf(END, pos);
    if (end < 0) return undefined;
    out.push(text.slice(pos, end + END.length));
    pos = end + END.length;
  }
  return out;
}
