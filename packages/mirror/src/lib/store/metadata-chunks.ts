import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CORE_RECORD_TYPES, ErrorCodes, OvirtRepoError, ioError, writeNewFileDurably, type ChunkIndex, type MemberSpan, type MetadataChunk } from '@ovirt-repo/core';
import { SNAPSHOT_CHUNKS } from './layout.js';

/**
 * metadata-chunks.json: where each chunk of a snapshot's chunked metadata is (see core's chunk-index.ts),
 * so the next snapshot copies the chunks it shares with this one. Packages are named by their place in
 * snapshot.json's `packages` (a few bytes each instead of a pool href). `digest` covers the rest of the
 * file, so a damaged index is noticed and the metadata read without it.
 */
interface ChunksFile {
  format: 1;
  digest: string;
  files: ChunkIndex['files'];
  chunks: Array<{ packages: number[]; primary: MemberSpan; filelists: MemberSpan; other: MemberSpan }>;
}

const digestOf = (body: Pick<ChunksFile, 'files' | 'chunks'>) => createHash('sha256').update(JSON.stringify(body)).digest('hex');

/** Written inside a snapshot being built (published whole later). */
export async function writeMetadataChunks(snapshotDir: string, index: ChunkIndex, hrefs: readonly string[]): Promise<void> {
  const place = new Map(hrefs.map((href, i) => [href, i]));
  const chunks = index.chunks.map((c) => ({
    packages: c.keys.map((k) => {
      const i = place.get(k);
      if (i === undefined) throw new OvirtRepoError(ErrorCodes.STORE, `the snapshot's metadata lists ${k}, which its snapshot.json lacks`, { target: snapshotDir });
      return i;
    }),
    ...c.members,
  }));
  const body = { files: index.files, chunks };
  const file: ChunksFile = { format: 1, digest: digestOf(body), ...body };
  await writeNewFileDurably(join(snapshotDir, SNAPSHOT_CHUNKS), `${JSON.stringify(file)}\n`);
}

/** The snapshot's chunk index; undefined when it has none (made before chunking, or not gz). */
export async function readMetadataChunks(snapshotDir: string, hrefs: readonly string[]): Promise<ChunkIndex | undefined> {
  const path = join(snapshotDir, SNAPSHOT_CHUNKS);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ioError('read', path, e);
  }
  const bad = (why: string) => new OvirtRepoError(ErrorCodes.STORE, `${path} is damaged: ${why}`, { target: path, hint: 'the next snapshot is written without it' });
  let file: ChunksFile;
  try {
    file = JSON.parse(text) as ChunksFile;
  } catch (e) {
    throw bad((e as Error).message);
  }
  if (file.format !== 1 || !Array.isArray(file.chunks) || digestOf({ files: file.files, chunks: file.chunks }) !== file.digest) throw bad('its digest does not match');
  const chunks: MetadataChunk[] = file.chunks.map((c) => ({
    keys: c.packages.map((i) => {
      const href = hrefs[i];
      if (href === undefined) throw bad(`package ${i} is not in snapshot.json`);
      return href;
    }),
    members: Object.fromEntries(CORE_RECORD_TYPES.map((t) => [t, c[t]])) as MetadataChunk['members'],
  }));
  return { files: file.files, chunks };
}

/**
 * Where the chunks of a snapshot's metadata are, without naming their packages (which needs snapshot.json):
 * enough to decompress them ahead of time. Undefined when the file is missing or unreadable; nothing is
 * trusted from it but places in files, which their reader checks against the files' checksums.
 */
export async function readChunkPlaces(snapshotDir: string): Promise<{ index: Pick<ChunkIndex, 'files'> & { chunks: Array<Pick<MetadataChunk, 'members'>> }; packages: number } | undefined> {
  try {
    const file = JSON.parse(await readFile(join(snapshotDir, SNAPSHOT_CHUNKS), 'utf8')) as ChunksFile;
    if (file.format !== 1 || !Array.isArray(file.chunks) || !file.files) return undefined;
    const chunks = file.chunks.map((c) => ({ members: { primary: c.primary, filelists: c.filelists, other: c.other } }));
    return { index: { files: file.files, chunks }, packages: file.chunks.reduce((n, c) => n + (Array.isArray(c.packages) ? c.packages.length : 0), 0) };
  } catch {
    return undefined;
  }
}
