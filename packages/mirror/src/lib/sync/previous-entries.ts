import {
  primaryEntryKey,
  readRecordText,
  splitPackageEntries,
  type CoreRecordType,
  type Logger,
  type PackageEntries,
  type RenderedPackage,
  type Repomd,
} from '@ovirt-repo/core';
import type { Candidate } from './candidates.js';

const CORE: CoreRecordType[] = ['primary', 'filelists', 'other'];

/**
 * The package entries of the latest snapshot's metadata, so a new snapshot copies the entries of the
 * packages it keeps instead of parsing and re-rendering them: in a deploy job that adds one build to a
 * repo of thousands, that was nearly all of the work. Primary entries are keyed by pool href, so a package
 * is reused only when it is the very same file (same checksum, same name).
 */
export type PreviousEntries = Readonly<Record<CoreRecordType, PackageEntries>>;

/**
 * Reads and verifies the latest snapshot's primary, filelists and other. Never fails the sync: a file
 * that does not match its repomd.xml, or metadata in another layout, gives undefined (with a warning for
 * the former), and the sync reads everything from the sources as before.
 */
export async function loadPreviousEntries(snapshotDir: string, snapshot: string, repomd: Repomd, log: Logger): Promise<PreviousEntries | undefined> {
  try {
    const [primary, filelists, other] = await Promise.all(
      CORE.map(async (type) => {
        const text = await readRecordText(snapshotDir, repomd, type);
        return text === undefined ? undefined : splitPackageEntries(type, text);
      }),
    );
    return primary && filelists && other ? { primary, filelists, other } : undefined;
  } catch (e) {
    log.warn(`not reusing the metadata of snapshot ${snapshot}: ${(e as Error).message}`);
    return undefined;
  }
}

/** The previous snapshot's entries of candidate `c`, when it listed that very file. */
export function previousEntriesOf(previous: PreviousEntries | undefined, c: Candidate): RenderedPackage | undefined {
  if (!previous) return undefined;
  const primary = previous.primary.get(primaryEntryKey(c.poolHref));
  const filelists = previous.filelists.get(c.digest);
  const other = previous.other.get(c.digest);
  return primary !== undefined && filelists !== undefined && other !== undefined ? { rendered: { primary, filelists, other } } : undefined;
}
