import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { hashBuffer, verifyContent } from '../checksum/index.js';
import { compressionFromName, decompressBuffer } from '../compress/index.js';
import { ioError } from '../errors/index.js';
import type { Repomd, RepomdRecord } from './repomd-model.js';
import { assertMetadataHref } from './safe-href.js';

/**
 * The decompressed text of a metadata file, after its bytes were checked against its repomd.xml record
 * (size and checksum). For reading a file whole (splitting it into package entries); stream it with the
 * readers instead when it may be larger than memory. Fails on invalid UTF-8, as the XML readers do.
 */
export async function readMetadataText(path: string, record: RepomdRecord, display = path): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw ioError('read', display, e);
  }
  verifyContent(display, { checksum: record.checksum, ...(record.size !== undefined ? { size: record.size } : {}) }, { ...hashBuffer(bytes, record.checksum.type), size: bytes.length });
  const plain = await decompressBuffer(compressionFromName(basename(path)), bytes, { target: display });
  return new TextDecoder('utf-8', { fatal: true }).decode(plain);
}

/**
 * readMetadataText of the file `repomd`'s record of `type` names, in the repo at `repoDir`; undefined when
 * repomd.xml has no such record. The href is checked to stay below repodata/ before anything is read.
 */
export async function readRecordText(repoDir: string, repomd: Repomd, type: string): Promise<string | undefined> {
  const record = repomd.records.find((r) => r.type === type);
  if (!record) return undefined;
  assertMetadataHref(record.location.href, type, join(repoDir, 'repodata', 'repomd.xml'));
  return readMetadataText(join(repoDir, record.location.href), record);
}
