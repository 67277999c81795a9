import { join } from 'node:path';
import { carriedMetadataName, ErrorCodes, OvirtRepoError, redactUrl, type ReadClient, type Repomd, type RepomdRecord } from '@ovirt-repo/core';
import { downloadVerified } from '../../source/download-file.js';
import { isFileUrl, localPath, resolveHref, type RepoLocation } from '../../source/location.js';
import type { MetadataFile } from './read-candidates.js';

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
  // Named as a snapshot names it: the source's own name may be a dot-name or too long for a temp name.
  const dest = join(workDir, tag, carriedMetadataName(record.type, record.checksum.value, record.location.href));
  await downloadVerified(client, url, dest, { checksumType: record.checksum.type, checksum: record.checksum.value, size: record.size }, maxSize);
  return { path: dest, record, display: redactUrl(url.href), ...bound };
}
