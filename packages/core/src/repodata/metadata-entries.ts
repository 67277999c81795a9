import { join } from 'node:path';
import { readPackageEntries } from './package-entries.js';
import { recordStreamOptions } from './metadata-stream.js';
import type { CoreRecordType, Repomd } from './repomd-model.js';
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
