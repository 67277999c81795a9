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

/** Where a new snapshot's packages are in its snapshot.json, for its metadata-chunks.json. */
export interface RecordPlaces {
  /** The place of the package with this key (pool href). */
  of(key: string): number | undefined;
  /** The places of a chunk given whole (core's CopiedChunk), from its label. */
  ofLabel?(label: unknown): readonly number[] | undefined;
}

/** Places of packages in `hrefs` order. */
export function placesOfHrefs(hrefs: readonly string[]): RecordPlaces {
  const place = new Map(hrefs.map((href, i) => [href, i]));
  return { of: (key) => place.get(key) };
}

/** Written inside a snapshot being built (published whole later). */
export async function writeMetadataChunks(snapshotDir: string, index: ChunkIndex, places: RecordPlaces): Promise<void> {
  const lacking = (what: string) => new OvirtRepoError(ErrorCodes.STORE, `the snapshot's metadata lists ${what}, which its snapshot.json lacks`, { target: snapshotDir });
  const chunks = index.chunks.map((c) => {
    const given = c.label === undefined ? undefined : places.ofLabel?.(c.label);
    if (c.label !== undefined && !given) throw lacking('a chunk copied whole');
    return {
      packages:
        given ??
        c.keys.map((k) => {
          const i = places.of(k);
          if (i === undefined) throw lacking(k);
          return i;
        }),
      ...c.members,
    };
  });
  // Serialised once: the digest covers exactly the text that follows it in the file.
  const body = JSON.stringify({ files: index.files, chunks });
  const digest = createHash('sha256').update(body).digest('hex');
  await writeNewFileDurably(join(snapshotDir, SNAPSHOT_CHUNKS), `{"format":1,"digest":"${digest}",${body.slice(1)}\n`);
}

/** A snapshot's chunk index, with the places in snapshot.json of each chunk's packages. */
export type PlacedChunkIndex = ChunkIndex & { readonly places: ReadonlyArray<readonly number[]> };

/** A snapshot.json's packages by place: their hrefs, or RecordLines. */
export type RecordHrefs = readonly string[] | { readonly length: number; hrefAt(i: number): string };

/**
 * The snapshot's chunk index; undefined when it has none (made before chunking, or not gz). `hrefs`: its
 * snapshot.json's packages, in order; the index must name each of them once. A chunk's keys (hrefs) are
 * made when first asked for: a deploy that copies whole chunks never needs most of them.
 */
export async function readMetadataChunks(snapshotDir: string, hrefs: RecordHrefs): Promise<PlacedChunkIndex | undefined> {
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
  if (file.format !== 1 || !Array.isArray(file.chunks) || !digestMatches(text, file)) throw bad('its digest does not match');
  const hrefAt = Array.isArray(hrefs) ? (i: number) => (hrefs as readonly string[])[i] as string : (hrefs as Exclude<RecordHrefs, readonly string[]>).hrefAt.bind(hrefs);
  const seen = new Uint8Array(hrefs.length);
  const chunks: MetadataChunk[] = file.chunks.map((c) => {
    if (!Array.isArray(c.packages)) throw bad('a chunk lists no packages');
    // Indexed, not for...of: it runs once a sync over every package, before the JIT has optimised it,
    // where the iterator protocol costs several times more.
    const places = c.packages;
    for (let k = 0; k < places.length; k++) {
      const i = places[k] as number;
      if (!Number.isInteger(i) || i < 0 || i >= hrefs.length || seen[i]) throw bad(`package ${i} is not in snapshot.json, or in more than one chunk`);
      seen[i] = 1;
    }
    return lazyChunk(places, Object.fromEntries(CORE_RECORD_TYPES.map((t) => [t, c[t]])) as MetadataChunk['members'], hrefAt);
  });
  return { files: file.files, chunks, places: file.chunks.map((c) => c.packages) };
}

/** A chunk whose keys are the hrefs at `places`, made once, when first asked for. */
function lazyChunk(places: readonly number[], members: MetadataChunk['members'], hrefAt: (i: number) => string): MetadataChunk {
  let keys: string[] | undefined;
  return {
    members,
    count: places.length,
    get keys() {
      return (keys ??= places.map(hrefAt));
    },
  };
}

/**
 * The digest covers the file's other fields as JSON.stringify writes them: as they are in a file written
 * by writeMetadataChunks (checked on the text, without serialising the index again), else serialised.
 */
function digestMatches(text: string, file: ChunksFile): boolean {
  const prefix = `{"format":1,"digest":"${file.digest}",`;
  const end = text.trimEnd().length;
  if (text.startsWith(prefix) && createHash('sha256').update(`{${text.slice(prefix.length, end)}`).digest('hex') === file.digest) return true;
  return digestOf({ files: file.files, chunks: file.chunks }) === file.digest;
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
