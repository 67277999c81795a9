import {
  carriedMetadataName,
  classifyRecord,
  mergeComps,
  mergeModuleDocuments,
  mergeUpdateinfo,
  type ExtraRecord,
  type Logger,
  type MetadataInput,
  type ReadClient,
  type Repomd,
  type RepomdRecord,
} from '@ovirt-repo/core';
import type { RepoLocation } from '../../source/location.js';
import type { SnapshotExtraMetadata } from '../../store/snapshot-record.js';
import { obtainMetadataFile } from './metadata-files.js';


/**
 * Metadata merged when sources differ, rather than replaced: the types read (the first a source has), the
 * types written (`name` plus the compression suffix when compressed), and the types dropped with a merge
 * (zchunk copies of one source's file).
 */
export interface MergedFamily {
  reads: readonly string[];
  writes: ReadonlyArray<{ type: string; name: string; compressed: 'snapshot' | 'gz' | 'none' }>;
  stale: readonly string[];
  merge: (inputs: readonly MetadataInput[], log: Logger) => string;
}

const MERGED_FAMILIES: readonly MergedFamily[] = [
  { reads: ['modules'], writes: [{ type: 'modules', name: 'modules.yaml', compressed: 'snapshot' }], stale: ['modules_zck'], merge: mergeModuleDocuments },
  { reads: ['updateinfo'], writes: [{ type: 'updateinfo', name: 'updateinfo.xml', compressed: 'snapshot' }], stale: ['updateinfo_zck'], merge: mergeUpdateinfo },
  {
    // As createrepo_c -g writes comps: plain and gzipped.
    reads: ['group', 'group_gz'],
    writes: [
      { type: 'group', name: 'comps.xml', compressed: 'none' },
      { type: 'group_gz', name: 'comps.xml', compressed: 'gz' },
    ],
    stale: ['group_zck', 'group_gz_zck'],
    merge: mergeComps,
  },
];

/** A source's file, or the latest snapshot's (additive mode), where it is. */
export interface SourceFile {
  record: RepomdRecord;
  location: RepoLocation;
  tag: string;
  from: string;
}

export interface ExtraCandidate {
  /** The record as the snapshot lists it: its href is the snapshot's own name for the file. */
  record: RepomdRecord;
  from: string;
  /** A source's file (read through obtainMetadataFile), or a file made by this sync (merged). */
  file: SourceFile | { path: string };
}

/** Several sources' files of a merged family (modules, updateinfo, comps), to be merged into one. */
export interface ExtraMerge {
  family: MergedFamily;
  inputs: SourceFile[];
}

export interface SourceLayer {
  repomd: Repomd;
  location: RepoLocation;
  tag: string;
  from: string;
}

/**
 * The extra metadata (comps, modules, updateinfo, ...) the snapshot carries, from `layers` in order (in
 * additive mode the latest snapshot first, then the sources). Modules, updateinfo and comps that differ
 * between layers are merged (see merge-extras.ts); of any other type the last layer that has one wins,
 * with a warning when it replaces a different file. Records derived from the package list (sqlite,
 * zchunk of primary/filelists/other) are dropped: they would describe the source's package set and
 * hrefs, not the snapshot's. Each file is stored under a name of the snapshot's own choosing
 * (`<checksum>-<name>`, see carriedMetadataName), so two files never share a name.
 */
export function chooseExtras(layers: readonly SourceLayer[], log: Logger): { carried: ExtraCandidate[]; merges: ExtraMerge[] } {
  const merges: ExtraMerge[] = [];
  const merged = new Set<string>();
  for (const family of MERGED_FAMILIES) {
    const inputs = familyInputs(family, layers);
    if (new Set(inputs.map((i) => i.record.checksum.value)).size < 2) continue;
    merges.push({ family, inputs });
    for (const t of [...family.reads, ...family.stale]) merged.add(t);
  }
  const byType = new Map<string, ExtraCandidate>();
  for (const layer of layers) {
    for (const record of layer.repomd.records) {
      if (classifyRecord(record.type) !== 'opaque' || merged.has(record.type)) continue;
      const had = byType.get(record.type);
      if (had && had.record.checksum.value !== record.checksum.value) {
        log.warn(`"${record.type}" metadata of ${layer.from} replaces the one of ${had.from} (they are not merged)`);
      }
      const href = `repodata/${carriedMetadataName(record.type, record.checksum.value, record.location.href)}`;
      byType.set(record.type, { record: { ...record, location: { href } }, from: layer.from, file: { record, location: layer.location, tag: layer.tag, from: layer.from } });
    }
  }
  return { carried: [...byType.values()], merges };
}

/** Per layer that has the family, the one file of it to read (the first type of `reads` it has). */
function familyInputs(family: MergedFamily, layers: readonly SourceLayer[]): SourceFile[] {
  const out: SourceFile[] = [];
  for (const layer of layers) {
    const record = family.reads.map((t) => layer.repomd.records.find((r) => r.type === t)).find((r) => r !== undefined);
    if (record) out.push({ record, location: layer.location, tag: layer.tag, from: layer.from });
  }
  return out;
}

/** Candidates in the order repomd.xml lists records (by type). */
export const byRecordType = (a: ExtraCandidate, b: ExtraCandidate) => (a.record.type < b.record.type ? -1 : a.record.type > b.record.type ? 1 : 0);

export async function obtainExtra(e: ExtraCandidate, client: ReadClient, workDir: string, maxSize?: number): Promise<ExtraRecord> {
  if ('path' in e.file) return { ...e.record, sourcePath: e.file.path };
  const file = await obtainMetadataFile(e.file.location, e.file.record, client, workDir, e.file.tag, maxSize);
  return { ...e.record, sourcePath: file.path };
}

export const extraSummary = (r: RepomdRecord): SnapshotExtraMetadata => ({
  type: r.type,
  href: r.location.href,
  checksumType: r.checksum.type,
  checksum: r.checksum.value,
});
