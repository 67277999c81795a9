import { compressBuffer } from '../compress/index.js';
import { endsChunk, isCopiedChunk, isDeferredPackage, packageKey, type CopiedChunk, type DeferredPackage, type MetadataChunk, type MemberSpan, type ReusedChunk } from './chunk-index.js';
import type { MemberFile } from './member-file.js';
import type { PackageRecord } from './model.js';
import { dumpPackage } from './package-dump.js';
import { isRenderedPackage, type RenderedPackage } from './package-entries.js';
import { CORE_RECORD_TYPES as CORE, type CoreRecordType } from './repomd-model.js';

export type ChunkablePackage = PackageRecord | RenderedPackage | DeferredPackage;
type ChunkableItem = ChunkablePackage | readonly ChunkablePackage[] | CopiedChunk;

export interface ChunkedBodiesOptions {
  files: Readonly<Record<CoreRecordType, MemberFile>>;
  headers: Readonly<Record<CoreRecordType, string>>;
  footers: Readonly<Record<CoreRecordType, string>>;
  level?: number;
}

/** A chunk ready to append: rendered and compressed here (`content`), or copied. */
type BuiltChunk = { count: number; reused: false; parts: Record<CoreRecordType, { compressed: Buffer; content: Buffer }> } | { count: number; reused: true; parts: ReusedChunk };

/** Chunks built ahead of the one being written: enough to keep zlib's thread pool busy. */
const AHEAD = 4;

/**
 * Writes the header member, the packages as one member per chunk, and the footer member of each of the
 * three files. A whole chunk given where the write is at a chunk's end is copied (its content is hashed by
 * its MemberFile); any other chunk is rendered and compressed, several at a time on zlib's thread pool,
 * and written in order.
 */
export async function writeChunkedBodies(packages: AsyncIterable<ChunkableItem> | Iterable<ChunkableItem>, o: ChunkedBodiesOptions): Promise<{ count: number; reused: number; chunks: MetadataChunk[] }> {
  await appendText(o, o.headers);
  const chunks: MetadataChunk[] = [];
  const ahead: Array<Promise<BuiltChunk>> = [];
  let reused = 0;
  const writeNext = async () => {
    const built = await (ahead.shift() as Promise<BuiltChunk>);
    const members = {} as Record<CoreRecordType, MemberSpan>;
    for (const type of CORE) {
      members[type] = built.reused
        ? await o.files[type].appendCopy(built.parts[type].compressed, built.parts[type].openSize, `a reused chunk of ${type}`)
        : await o.files[type].append(built.parts[type].compressed, built.parts[type].content);
    }
    chunks.push({ count: built.count, members });
    if (built.reused) reused++;
  };
  const start = (items: ChunkablePackage[]) => {
    const p = buildChunk(items, o);
    // Awaited in order by writeNext; this only keeps a failure of a later chunk from going unhandled.
    p.catch(() => undefined);
    ahead.push(p);
  };
  let count = 0;
  let items: ChunkablePackage[] = [];
  for await (const item of packages) {
    const copied = !Array.isArray(item) && isCopiedChunk(item as object) ? (item as CopiedChunk) : undefined;
    if (copied && items.length === 0) {
      ahead.push(Promise.resolve({ count: copied.count, reused: true, parts: copied.copiedChunk }));
      count += copied.count;
      while (ahead.length > AHEAD) await writeNext();
      continue;
    }
    // Arrays are walked here rather than flattened through another async generator: per package that
    // would cost more than the rest of this loop. A whole chunk that comes after packages that did not end
    // one is chunked with them, package by package, as if it had come that way.
    const list = copied ? copied.packages() : Array.isArray(item) ? (item as readonly ChunkablePackage[]) : [item as ChunkablePackage];
    for (const p of list) {
      items.push(p);
      count++;
      if (!endsChunk(packageKey(p))) continue;
      start(items);
      items = [];
      while (ahead.length > AHEAD) await writeNext();
    }
  }
  if (items.length > 0) start(items);
  while (ahead.length > 0) await writeNext();
  await appendText(o, o.footers);
  return { count, reused, chunks };
}

async function appendText(o: ChunkedBodiesOptions, texts: Readonly<Record<CoreRecordType, string>>): Promise<void> {
  for (const type of CORE) {
    const content = Buffer.from(texts[type], 'utf8');
    await o.files[type].append(await compressBuffer('gz', content, { level: o.level, target: o.files[type].path }), content);
  }
}

async function buildChunk(items: readonly ChunkablePackage[], o: ChunkedBodiesOptions): Promise<BuiltChunk> {
  const texts: Record<CoreRecordType, string[]> = { primary: [], filelists: [], other: [] };
  for (const item of items) {
    const p = isDeferredPackage(item) ? await item.load() : item;
    const dumped = isRenderedPackage(p) ? p.rendered : dumpPackage(p);
    for (const type of CORE) texts[type].push(dumped[type]);
  }
  const parts = {} as Record<CoreRecordType, { compressed: Buffer; content: Buffer }>;
  await Promise.all(
    CORE.map(async (type) => {
      const content = Buffer.from(texts[type].join(''), 'utf8');
      parts[type] = { compressed: await compressBuffer('gz', content, { level: o.level, target: o.files[type].path }), content };
    }),
  );
  return { count: items.length, parts, reused: false };
}
