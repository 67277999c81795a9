import { carriedMetadataName, classifyRecord, type ExtraRecord, type Logger, type ReadClient, type Repomd, type RepomdRecord } from '@ovirt-repo/core';
import type { RepoLocation } from '../source/location.js';
import type { SnapshotExtraMetadata } from '../store/snapshot-record.js';
import { obtainMetadataFile } from './metadata-files.js';

/** Extra metadata that describes files a snapshot does not carry (delta RPMs): dropped, not copied. */
const NOT_CARRIED = /^(prestodelta|deltainfo)(_zck|_db)?$/;

export interface ExtraCandidate {
  /** The source's record (its href is where the file is in that source). */
  record: RepomdRecord;
  /** The href the snapshot stores the file under (see carriedMetadataName). */
  href: string;
  location: RepoLocation;
  tag: string;
  from: string;
}

/**
 * The extra metadata (comps, modules, updateinfo, ...) the snapshot carries: per type, the last source that
 * has one wins over earlier sources and over the previous snapshot (additive mode). Records derived from
 * the package list (sqlite, zchunk of primary/filelists/other) are dropped: they would describe the
 * source's package set and hrefs, not the snapshot's. Each file is stored under a name of the snapshot's
 * own choosing (`<checksum>-<name>`), so two files never share a name.
 */
export function chooseExtras(layers: ReadonlyArray<{ repomd: Repomd; location: RepoLocation; tag: string; from: string }>, log: Logger): ExtraCandidate[] {
  const byType = new Map<string, ExtraCandidate>();
  for (const layer of layers) {
    for (const record of layer.repomd.records) {
      if (classifyRecord(record.type) !== 'opaque' || NOT_CARRIED.test(record.type)) continue;
      const had = byType.get(record.type);
      if (had && had.record.checksum.value !== record.checksum.value) {
        log.warn(`"${record.type}" metadata of ${layer.from} replaces the one of ${had.from} (they are not merged)`);
      }
      const href = `repodata/${carriedMetadataName(record.type, record.checksum.value, record.location.href)}`;
      byType.set(record.type, { record, href, location: layer.location, tag: layer.tag, from: layer.from });
    }
  }
  return [...byType.values()].sort((a, b) => (a.record.type < b.record.type ? -1 : 1));
}

export async function obtainExtra(e: ExtraCandidate, client: ReadClient, workDir: string): Promise<ExtraRecord> {
  const file = await obtainMetadataFile(e.location, e.record, client, workDir, e.tag);
  return { ...e.record, location: { href: e.href }, sourcePath: file.path };
}

export const extraSummary = (r: RepomdRecord): SnapshotExtraMetadata => ({
  type: r.type,
  href: r.location.href,
  checksumType: r.checksum.type,
  checksum: r.checksum.value,
});
