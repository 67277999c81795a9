import {
  openChunkedMetadata,
  keyPackageEntries,
  primaryEntryKey,
  readRecordEntries,
  type ChunkReuse,
  type CoreRecordType,
  type DeferredPackage,
  type Logger,
  type PackageEntries,
  type RenderedPackage,
  type Repomd,
} from '@ovirt-repo/core';
import { readMetadataChunks } from '../store/metadata-chunks.js';
import type { Candidate } from './candidates.js';

const CORE: CoreRecordType[] = ['primary', 'filelists', 'other'];

/**
 * The latest snapshot's metadata as a new snapshot reuses it: the entries of the packages it keeps are
 * copied instead of parsed and re-rendered (in a deploy job that adds one build to a repo of thousands,
 * that was nearly all of the work), and with a chunk index whole chunks of them are copied compressed.
 * A package is reused only when it is the very same file (same pool href: same checksum, same name).
 */
export interface PreviousMetadata {
  /** Candidate `c`'s entries in the latest snapshot, when it listed that very file. */
  entriesOf(c: Candidate): RenderedPackage | DeferredPackage | undefined;
  /** Chunks of the latest snapshot's files that the writer may copy as they are. */
  readonly reuse?: ChunkReuse;
}

/** Entries split out of whole files: primary keyed by pool href, filelists and other by pkgid. */
export type PreviousEntries = Readonly<Record<CoreRecordType, PackageEntries>>;

export function wholeFileMetadata(entries: PreviousEntries): PreviousMetadata {
  return {
    entriesOf(c) {
      const primary = entries.primary.get(primaryEntryKey(c.poolHref));
      const filelists = entries.filelists.get(c.digest);
      const other = entries.other.get(c.digest);
      return primary !== undefined && filelists !== undefined && other !== undefined ? { key: c.poolHref, rendered: { primary, filelists, other } } : undefined;
    },
  };
}

/**
 * Opens the latest snapshot's metadata for reuse: through its chunk index (metadata-chunks.json) when it
 * has a valid one, else by reading and splitting its three files whole. Never fails the sync: metadata
 * that does not match its repomd.xml or index, or is in another layout, gives a warning and undefined
 * (or the whole-file way), and the sync reads everything from the sources as before.
 */
export async function loadPreviousMetadata(
  snapshotDir: string,
  snapshot: string,
  repomd: Repomd,
  hrefs: readonly string[],
  log: Logger,
): Promise<PreviousMetadata | undefined> {
  let chunkProblem: string | undefined;
  try {
    const index = await readMetadataChunks(snapshotDir, hrefs);
    if (index) {
      const chunks = await openChunkedMetadata(snapshotDir, repomd, index);
      return { entriesOf: (c) => (chunks.has(c.poolHref) ? chunks.deferred(c.poolHref) : undefined), reuse: chunks };
    }
  } catch (e) {
    chunkProblem = (e as Error).message;
  }
  try {
    const [primary, filelists, other] = await Promise.all(
      CORE.map(async (type) => {
        const list = await readRecordEntries(snapshotDir, repomd, type);
        return list && keyPackageEntries(type, list);
      }),
    );
    if (chunkProblem) log.warn(`not reusing the metadata chunks of snapshot ${snapshot} (its files are read whole instead): ${chunkProblem}`);
    return primary && filelists && other ? wholeFileMetadata({ primary, filelists, other }) : undefined;
  } catch (e) {
    // The files themselves are damaged: that says more than the chunk index problem it also caused.
    log.warn(`not reusing the metadata of snapshot ${snapshot}: ${(e as Error).message}`);
    return undefined;
  }
}
