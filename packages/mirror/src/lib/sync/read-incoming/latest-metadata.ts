import {
  CORE_RECORD_TYPES,
  ErrorCodes,
  OvirtRepoError,
  endsChunk,
  keyPackageEntries,
  openChunkedMetadata,
  primaryEntryKey,
  readRecordEntries,
  type ChunkedMetadata,
  type CopiedChunk,
  type CoreRecordType,
  type DeferredPackage,
  type PackageEntries,
  type RenderedPackage,
  type Repomd,
} from '@ovirt-repo/core';
import type { RecordText } from '../../store/record-file.js';
import { chunkIndexOf } from '../../store/snapshot-record.js';
import type { LatestSnapshot, SyncContext } from '../context.js';
import type { LatestFiles } from './latest-files.js';

/**
 * The latest snapshot's metadata as the new snapshot takes from it: the entries of the packages it keeps,
 * and the chunks it may copy whole. Chunk k holds the record's packages [start, start + count).
 */
export interface LatestMetadata {
  readonly chunks: ReadonlyArray<{ readonly start: number; readonly count: number }>;
  /** Chunk k to copy whole (gz members of a recorded layout, its last package ending a chunk), or undefined. */
  whole(k: number): CopiedChunk | undefined;
  /** The entries of the record's package i, loaded when the writer needs them. */
  entriesOf(i: number): RenderedPackage | DeferredPackage;
}

/**
 * Opens the latest snapshot's metadata, checked before anything is taken from it:
 * - gz metadata with its chunk layout in the record (this version's snapshots): the layout must describe
 *   the files repomd.xml lists, verified, with its members inside them in order and its counts summing to
 *   the record's packages; a package's entries are cut out of its chunk by place, and checked to be its.
 * - anything else (a snapshot made before the layout was recorded, xz or zstd metadata, a layout that does
 *   not check out): one chunk per file, nothing copied, entries split out of each whole file (streamed
 *   and verified) and found by key, primary by pool href, filelists and other by pkgid.
 * Metadata that cannot be read either way: in mirror mode a warning and undefined (the sources have every
 * package), in additive mode the sync fails (the latest snapshot's packages come only from there).
 */
export async function openLatestMetadata(ctx: SyncContext, latest: LatestSnapshot, repomd: Repomd | undefined, files: LatestFiles | undefined): Promise<LatestMetadata | undefined> {
  const { id, record } = latest;
  if (!id || !record || !repomd || !files || record.length === 0) return undefined;
  const { dir, display } = files;
  let chunkProblem: string | undefined;
  const layout = record.head.metadata && chunkIndexOf(record.head.metadata);
  if (layout && CORE_RECORD_TYPES.every((t) => layout.files[t].href.endsWith('.gz'))) {
    try {
      const chunks = await openChunkedMetadata(dir, repomd, layout);
      if (chunks.packages !== record.length) throw new Error(`its chunks hold ${chunks.packages} packages, its record ${record.length}`);
      return new ChunksOfLatest(record, chunks, layout.chunks.map((c) => c.count), ctx.compression === 'gz');
    } catch (e) {
      chunkProblem = (e as Error).message;
    }
  }
  try {
    const entries = await Promise.all(
      CORE_RECORD_TYPES.map(async (type) => {
        const list = await readRecordEntries(dir, repomd, type, ctx.options.maxMetadataSize);
        const keyed = list && keyPackageEntries(type, list);
        if (!keyed) throw new Error(`its ${type} file is not in the layout this tool writes`);
        return keyed;
      }),
    );
    if (chunkProblem) ctx.log.warn(`not reusing the metadata chunks of snapshot ${id} (its files are read whole instead): ${chunkProblem}`);
    return new WholeFilesOfLatest(record, entries as [PackageEntries, PackageEntries, PackageEntries], display);
  } catch (e) {
    const message = `not reusing the metadata of snapshot ${id}: ${(e as Error).message}`;
    if (ctx.mode === 'mirror') {
      ctx.log.warn(message);
      return undefined;
    }
    throw new OvirtRepoError(ErrorCodes.STORE, `the metadata of the latest snapshot ${ctx.repo}/${id} cannot be read, so its packages cannot be carried into a new one: ${(e as Error).message}`, {
      target: display,
      hint: `check it with \`ovirt-repo snapshot verify ${ctx.repo} ${id}\`; pin an older snapshot that verifies and deploy onto it, or rebuild the repo from its builds`,
      cause: e,
    });
  }
}

class ChunksOfLatest implements LatestMetadata {
  readonly chunks: Array<{ start: number; count: number }> = [];

  constructor(
    private readonly record: RecordText,
    private readonly metadata: ChunkedMetadata,
    counts: readonly number[],
    private readonly copyable: boolean,
  ) {
    let start = 0;
    for (const [k, count] of counts.entries()) {
      // Content-defined chunking ends every chunk but a file's last at a package that ends one: a count
      // damaged in the record would (but for one chance in 256) put an end elsewhere.
      if (k < counts.length - 1 && !endsChunk(record.hrefAt(start + count - 1))) throw new Error(`chunk ${k} of its layout does not end where content-defined chunking ends one`);
      this.chunks.push({ start, count });
      start += count;
    }
  }

  whole(k: number): CopiedChunk | undefined {
    const c = this.chunks[k];
    // Only a chunk that ends where content-defined chunking ends one: the files are then those a write of
    // every package would make (a file's last chunk usually does not).
    if (!c || !this.copyable || !endsChunk(this.record.hrefAt(c.start + c.count - 1))) return undefined;
    return { copiedChunk: this.metadata.copied(k), count: c.count, packages: () => Array.from({ length: c.count }, (_, i) => this.at(k, i)) };
  }

  entriesOf(i: number): DeferredPackage {
    // The chunk holding package i: the last one starting at or before it.
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((this.chunks[mid] as { start: number }).start <= i) lo = mid;
      else hi = mid - 1;
    }
    return this.at(lo, i - (this.chunks[lo] as { start: number }).start);
  }

  private at(k: number, position: number): DeferredPackage {
    const p = this.record.at((this.chunks[k] as { start: number }).start + position);
    return this.metadata.deferredAt(k, position, { href: p.href, pkgid: p.digest });
  }
}

class WholeFilesOfLatest implements LatestMetadata {
  readonly chunks: Array<{ start: number; count: number }>;

  constructor(
    private readonly record: RecordText,
    private readonly entries: readonly [PackageEntries, PackageEntries, PackageEntries],
    private readonly display: string,
  ) {
    this.chunks = [{ start: 0, count: record.length }];
  }

  whole(): undefined {
    return undefined;
  }

  entriesOf(i: number): RenderedPackage {
    const p = this.record.at(i);
    const [primary, filelists, other] = [this.entries[0].get(primaryEntryKey(p.href)), this.entries[1].get(p.digest), this.entries[2].get(p.digest)];
    if (primary === undefined || filelists === undefined || other === undefined) {
      const missing: CoreRecordType = primary === undefined ? 'primary' : filelists === undefined ? 'filelists' : 'other';
      throw new OvirtRepoError(ErrorCodes.REPODATA_INVALID, `the ${missing} metadata of ${this.display} has no entry for ${p.href}, which its snapshot.json lists`, {
        target: this.display,
        hint: `the snapshot is damaged; check it with \`ovirt-repo snapshot verify\``,
      });
    }
    return { key: p.href, rendered: { primary, filelists, other } };
  }
}
