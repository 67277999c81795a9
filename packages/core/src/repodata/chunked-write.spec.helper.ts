import type { ChunkIndex, CopiedChunk } from './chunk-index.js';
import type { PackageRecord } from './model.js';
import type { ChunkedMetadata } from './previous-chunks.js';
import type { WritableItem } from './writer.js';

/** The place a chunked reader checks a package of an earlier write against. */
export const placeOf = (p: PackageRecord) => ({ href: p.location.href, pkgid: p.checksum.value });

/** Chunk `c` of an earlier write of `packages` (described by `index`), given whole. */
export function wholeChunk(earlier: ChunkedMetadata, index: ChunkIndex, packages: readonly PackageRecord[], c: number): CopiedChunk {
  const start = index.chunks.slice(0, c).reduce((n, x) => n + x.count, 0);
  const held = packages.slice(start, start + (index.chunks[c]?.count ?? 0));
  return { copiedChunk: earlier.copied(c), count: held.length, packages: () => held.map((p, i) => earlier.deferredAt(c, i, placeOf(p))) };
}

/**
 * What a write of `packages` with `added` inserted at `at` is given, as a sync gives it: each chunk of the
 * earlier write of `packages` whole, but the one the insertion falls inside, whose packages come one by one.
 */
export function itemsWithInsert(earlier: ChunkedMetadata, index: ChunkIndex, packages: readonly PackageRecord[], at: number, added: PackageRecord): WritableItem[] {
  const items: WritableItem[] = [];
  let start = 0;
  for (const [c, chunk] of index.chunks.entries()) {
    const end = start + chunk.count;
    if (at === start) items.push(added);
    if (at > start && at < end) items.push(...packages.slice(start, at), added, ...packages.slice(at, end));
    else items.push(wholeChunk(earlier, index, packages, c));
    start = end;
  }
  if (at === start) items.push(added);
  return items;
}
