import { join } from 'node:path';
import {
  assertMetadataHref,
  primaryEntryKey,
  splitPackageEntries,
  type CoreRecordType,
  type Logger,
  type PackageEntries,
  type RenderedPackage,
  type Repomd,
} from '@ovirt-repo/core';
import type { Candidate } from './candidates.js';
import { findRecord } from './metadata-files.js';
import { readVerifiedText } from './read-candidates.js';

const CORE: CoreRecordType[] = ['primary', 'filelists', 'other'];

/**
 * The package entries of the latest snapshot's metadata, so a new snapshot copies the entries of the
 * packages it keeps instead of parsing and re-rendering them: in a deploy job that adds one build to a
 * repo of thousands, that was nearly all of the work. Entries are keyed by pool href, so a package is
 * reused only when it is the very same file (same checksum, same name).
 */
export interface PreviousEntries {
  readonly snapshot: string;
  readonly entries: Readonly<Record<CoreRecordType, PackageEntries>>;
}

/**
 * Reads and verifies the latest snapshot's primary, filelists and other. Never fails the sync: a file
 * that does not match its repomd.xml, or metadata in another layout, gives undefined (with a warning for
 * the former), and the sync reads everything from the sources as before.
 */
export async function loadPreviousEntries(snapshotDir: string, snapshot: string, repomd: Repomd, log: Logger): Promise<PreviousEntries | undefined> {
  try {
    const loaded = await Promise.all(
      CORE.map(async (type) => {
        const record = findRecord(repomd, type);
        if (!record) return undefined;
        assertMetadataHref(record.location.href, type, `${snapshotDir}/repodata/repomd.xml`);
        const path = join(snapshotDir, record.location.href);
        return splitPackageEntries(type, await readVerifiedText({ path, record, display: path }));
      }),
    );
    const [primary, filelists, other] = loaded;
    return primary && filelists && other ? { snapshot, entries: { primary, filelists, other } } : undefined;
  } catch (e) {
    log.warn(`not reusing the metadata of snapshot ${snapshot}: ${(e as Error).message}`);
    return undefined;
  }
}

/** The previous snapshot's entries of candidate `c`, when it listed that very file. */
export function previousEntriesOf(previous: PreviousEntries | undefined, c: Candidate): RenderedPackage | undefined {
  if (!previous) return undefined;
  const primary = previous.entries.primary.get(primaryEntryKey(c.poolHref));
  const filelists = previous.entries.filelists.get(c.digest);
  const other = previous.entries.other.get(c.digest);
  return primary !== undefined && filelists !== undefined && other !== undefined ? { rendered: { primary, filelists, other } } : undefined;
}
