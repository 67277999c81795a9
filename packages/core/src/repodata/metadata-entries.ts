import { join } from 'node:path';
import { readPackageEntries } from './package-entries.js';
import { metadataChunks, recordStreamOptions } from './metadata-stream.js';
import type { CoreRecordType, Repomd, RepomdRecord } from './repomd-model.js';
import { assertMetadataHref } from './safe-href.js';

/**
 * The package entries (see readPackageEntries) of the file `repomd`'s record of `type` names, in the repo
 * at `repoDir`, read against that record (size, checksum, open-size); undefined when repomd.xml has no
 * such record or the file has another layout. The href is checked to stay below repodata/ before anything
 * is read.
 */
export async function readRecordEntries(repoDir: string, repomd: Repomd, type: CoreRecordType, maxSize?: number): Promise<string[] | undefined> {
  const record = repomd.records.find((r) => r.type === type);
  if (!record) return undefined;
  assertMetadataHref(record.location.href, type, join(repoDir, 'repodata', 'repomd.xml'));
  const path = join(repoDir, record.location.href);
  return readPackageEntries(type, path, { name: path, ...recordStreamOptions(record, maxSize) });
}

/**
 * The whole decompressed text of a metadata file read against its repomd.xml `record`, for documents that
 * are only used whole (modules.yaml, updateinfo and comps, to merge them). `maxSize` bounds the file and
 * what it decompresses to, whatever repomd.xml declares: keep it well under what one string can hold.
 * Fails on invalid UTF-8, as the XML readers do.
 */
export async function readMetadataDocument(path: string, record: RepomdRecord, name: string, maxSize: number): Promise<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const parts: string[] = [];
  for await (const chunk of metadataChunks(path, recordStreamOptions(record, maxSize), name)) parts.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
  parts.push(decoder.decode());
  return parts.join('');
}
