import { basename, join } from 'node:path';
import { classifyRecord, ErrorCodes, OvirtRepoError, redactUrl, type ExtraRecord, type Logger, type ReadClient, type Repomd, type RepomdRecord } from '@ovirt-repo/core';
import { downloadVerified } from '../source/download-file.js';
import { isFileUrl, localPath, resolveHref, type RepoLocation } from '../source/location.js';
import { type SnapshotExtraMetadata } from '../store/snapshot-record.js';
import type { MetadataFile } from './read-candidates.js';

/** Extra metadata that describes files a snapshot does not carry (delta RPMs): dropped, not copied. */
const NOT_CARRIED = /^(prestodelta|deltainfo)(_zck|_db)?$/;

export function findRecord(repomd: Repomd, type: string): RepomdRecord | undefined {
  return repomd.records.find((r) => r.type === type);
}

export function requirePrimary(repomd: Repomd, display: string): RepomdRecord {
  const r = findRecord(repomd, 'primary');
  if (!r) {
    throw new OvirtRepoError(ErrorCodes.REPODATA_INVALID, `${display}repodata/repomd.xml has no primary record`, {
      target: `${display}repodata/repomd.xml`,
      hint: 'the repo metadata is incomplete; regenerate it with createrepo_c',
    });
  }
  return r;
}

/**
 * Makes a source's metadata file readable locally: a local source's file is read in place (readers verify
 * its checksum as they go); a remote one is downloaded once into the sync's work directory, verified.
 * `maxSize` (core's default when undefined) bounds the file where repomd.xml does not, and what it
 * decompresses to, as it is read.
 */
export async function obtainMetadataFile(location: RepoLocation, record: RepomdRecord, client: ReadClient, workDir: string, tag: string, maxSize?: number): Promise<MetadataFile> {
  const url = resolveHref(location.base, record.location.href, `${location.display}repodata/repomd.xml`);
  const bound = maxSize !== undefined ? { maxSize } : {};
  if (isFileUrl(url)) return { path: localPath(url), record, display: url.href, ...bound };
  const dest = join(workDir, tag, basename(record.location.href));
  await downloadVerified(client, url, dest, { checksumType: record.checksum.type, checksum: record.checksum.value, size: record.size }, maxSize);
  return { path: dest, record, display: redactUrl(url.href), ...bound };
}

export interface ExtraCandidate {
  record: RepomdRecord;
  location: RepoLocation;
  tag: string;
  from: string;
}

/**
 * The extra metadata (comps, modules, updateinfo, ...) the snapshot carries: per type, the last source that
 * has one wins over earlier sources and over the previous snapshot (additive mode). Records derived from
 * the package list (sqlite, zchunk of primary/filelists/other) are dropped: they would describe the
 * source's package set and hrefs, not the snapshot's.
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
      byType.set(record.type, { record, location: layer.location, tag: layer.tag, from: layer.from });
    }
  }
  const names = new Set<string>();
  const out = [...byType.values()].sort((a, b) => (a.record.type < b.record.type ? -1 : 1));
  for (const e of out) {
    const name = e.record.location.href.slice('repodata/'.length);
    if (name === 'repomd.xml' || names.has(name)) {
      throw new OvirtRepoError(ErrorCodes.REPODATA_INVALID, `the "${e.record.type}" metadata of ${e.from} is named ${e.record.location.href}, which another file of the snapshot uses`, {
        target: e.from,
        hint: 'two sources carry different metadata files under one name; sync them into separate repos',
      });
    }
    names.add(name);
  }
  return out;
}

export async function obtainExtra(e: ExtraCandidate, client: ReadClient, workDir: string, maxSize?: number): Promise<ExtraRecord> {
  const file = await obtainMetadataFile(e.location, e.record, client, workDir, e.tag, maxSize);
  return { ...e.record, sourcePath: file.path };
}

export const extraSummary = (r: RepomdRecord): SnapshotExtraMetadata => ({
  type: r.type,
  href: r.location.href,
  checksumType: r.checksum.type,
  checksum: r.checksum.value,
});
