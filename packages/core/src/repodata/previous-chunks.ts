import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashBuffer } from '../checksum/index.js';
import { decompressBuffer } from '../compress/index.js';
import { ErrorCodes, OvirtRepoError, ioError } from '../errors/index.js';
import type { ChunkIndex, DeferredPackage, MetadataChunk, ReusedChunk } from './chunk-index.js';
import { primaryEntryKey, type RenderedPackage } from './package-entries.js';
import { CORE_RECORD_TYPES as CORE, type CoreRecordType, type Repomd } from './repomd-model.js';
import { assertMetadataHref } from './safe-href.js';

/** Which package a place in chunked metadata must hold: its location href and its pkgid. */
export interface ChunkedPackage {
  readonly href: string;
  readonly pkgid: string;
}

/** The metadata of an earlier chunked write, as a new write takes from it. */
export interface ChunkedMetadata {
  /** Packages the chunks hold. */
  readonly packages: number;
  /** Chunk `chunk` (its number in the index) as it is, to give a write whole (see CopiedChunk). */
  copied(chunk: number): ReusedChunk;
  /** The package at `position` in chunk `chunk`, which must be `expected`; its chunk is split only if it is loaded. */
  deferredAt(chunk: number, position: number, expected: ChunkedPackage): DeferredPackage;
  /**
   * Decompresses every chunk and checks that it holds exactly `packages` in their order, the chunks one
   * after another (for `snapshot verify`; a write checks only the chunks it loads).
   */
  verify(packages: readonly ChunkedPackage[]): Promise<void>;
}

const END = '</package>\n';
const STARTS: Record<CoreRecordType, string> = { primary: '<package type="rpm">\n', filelists: '<package pkgid="', other: '<package pkgid="' };

/**
 * Opens the chunked metadata of the repo at `repoDir` as `index` describes it. Checks, before anything is
 * taken from it, that the index describes the very files repomd.xml lists (hrefs, checksums and sizes, the
 * bytes verified) and that its members lie inside them in order. Fails with E_REPODATA_INVALID otherwise.
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
  return new IndexedChunks(files, index.chunks);
}

function checkSpans(chunks: readonly MetadataChunk[], type: CoreRecordType, size: number, display: string): void {
  let end = 1;
  for (const c of chunks) {
    const [offset, length, openSize] = c.members[type];
    if (!(offset >= end && length > 0 && openSize > 0 && offset + length <= size) || !(Number.isSafeInteger(c.count) && c.count > 0)) {
      throw invalid(`the chunk index places a member of ${display} outside the file`, display);
    }
    end = offset + length;
  }
}

function invalid(message: string, target: string): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.REPODATA_INVALID, message, { target, hint: 'the metadata is read and written afresh without the index' });
}

class IndexedChunks implements ChunkedMetadata {
  private readonly loaded = new Map<number, Promise<Record<CoreRecordType, string[]>>>();
  readonly packages: number;

  constructor(
    private readonly files: Readonly<Record<CoreRecordType, Buffer>>,
    private readonly chunks: readonly MetadataChunk[],
  ) {
    this.packages = chunks.reduce((n, c) => n + c.count, 0);
  }

  copied(chunk: number): ReusedChunk {
    const c = this.chunk(chunk);
    const out = {} as Record<CoreRecordType, { compressed: Buffer; openSize: number }>;
    for (const type of CORE) {
      const [offset, size, openSize] = c.members[type];
      out[type] = { compressed: this.files[type].subarray(offset, offset + size), openSize };
    }
    return out;
  }

  async verify(packages: readonly ChunkedPackage[]): Promise<void> {
    if (packages.length !== this.packages) throw invalid(`the chunk index lists ${this.packages} packages, not ${packages.length}`, 'chunk index');
    let at = 0;
    for (const [chunk, c] of this.chunks.entries()) {
      for (let i = 0; i < c.count; i++) await this.entriesAt(chunk, i, packages[at++] as ChunkedPackage);
      // Done with: a verify holds one chunk's entries at a time.
      this.loaded.delete(chunk);
    }
  }

  deferredAt(chunk: number, position: number, expected: ChunkedPackage): DeferredPackage {
    // A class, not an object with a closure: a write may make one per package of a chunk.
    return new DeferredEntry(this, chunk, position, expected);
  }

  async entriesAt(chunk: number, position: number, expected: ChunkedPackage): Promise<RenderedPackage> {
    let texts = this.loaded.get(chunk);
    if (!texts) this.loaded.set(chunk, (texts = this.split(chunk)));
    const t = await texts;
    const rendered = { primary: t.primary[position], filelists: t.filelists[position], other: t.other[position] };
    if (rendered.primary === undefined || rendered.filelists === undefined || rendered.other === undefined) throw invalid(`chunk ${chunk} has no package ${position}`, expected.href);
    const pkgid = `${STARTS.other}${expected.pkgid}"`;
    if (!rendered.primary.includes(`<location href="${primaryEntryKey(expected.href)}"`) || !rendered.filelists.startsWith(pkgid) || !rendered.other.startsWith(pkgid)) {
      throw invalid(`the chunk index places ${expected.href} where another package is`, expected.href);
    }
    return { key: expected.href, rendered: rendered as RenderedPackage['rendered'] };
  }

  private chunk(chunk: number): MetadataChunk {
    const c = this.chunks[chunk];
    if (!c) throw invalid(`the chunk index has no chunk ${chunk}`, String(chunk));
    return c;
  }

  /** A chunk's entries, decompressed and split; the same count in each file, or the index is wrong. */
  private async split(chunk: number): Promise<Record<CoreRecordType, string[]>> {
    const c = this.chunk(chunk);
    const out = {} as Record<CoreRecordType, string[]>;
    await Promise.all(
      CORE.map(async (type) => {
        const [offset, size] = c.members[type];
        const text = new TextDecoder('utf-8', { fatal: true }).decode(await decompressBuffer('gz', this.files[type].subarray(offset, offset + size), { target: `chunk ${chunk} of ${type}` }));
        const entries = splitEntries(text, STARTS[type]);
        if (!entries || entries.length !== c.count) throw invalid(`chunk ${chunk} of ${type} does not hold the ${c.count} packages its index lists`, type);
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
    private readonly expected: ChunkedPackage,
  ) {}

  get key(): string {
    return this.expected.href;
  }

  load(): Promise<RenderedPackage> {
    return this.chunks.entriesAt(this.chunk, this.position, this.expected);
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
