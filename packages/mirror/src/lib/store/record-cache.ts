import { readFileSync } from 'node:fs';
import { readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { digestOfPieces, makeDirectory } from '@ovirt-repo/core';
import type { Store } from '@ovirt-repo/core';
import { recordCacheDir } from './layout.js';
import { contentTrailer, type SnapshotRecord } from './snapshot-record.js';

/*
 * What a large repo's sync keeps of its new snapshot's snapshot.json for the next sync, in
 * <store>/cache/<repo>/record/: where each package line starts (`<id>.starts`: RecordLines.bodyStarts,
 * 32-bit integers), and the text its contentDigest hashes (`<id>.sorted`: every href, sorted, as
 * sortedLinesText writes them). With them a deploy neither scans 20,000 lines for their starts nor sorts
 * 20,000 hrefs for the new digest: it edits the sorted text (core's editSortedLines).
 *
 * Nothing here is trusted: the starts are used only if they fit the file (RecordLines.open), the text only
 * if it hashes to the snapshot's contentDigest (sortedTextOf). So the cache may be deleted at any time;
 * only the latest snapshot's entries are kept, under the repo's writer lock.
 */

export interface CachedRecord {
  starts?: Int32Array;
  sorted?: Buffer;
}

/**
 * What the cache has for snapshot `id` (nothing, if it has nothing or cannot be read). Read in one call
 * each, like snapshot.json itself (RecordLines.open): the sync waits for it anyway.
 */
export function readRecordCache(layout: Store, repo: string, id: string): CachedRecord {
  const dir = recordCacheDir(layout, repo);
  const read = (name: string) => {
    try {
      return readFileSync(join(dir, name));
    } catch {
      return undefined;
    }
  };
  const [starts, sorted] = [read(`${id}.starts`), read(`${id}.sorted`)];
  return {
    // Copied: an Int32Array needs its own aligned memory.
    ...(starts && starts.length % 4 === 0 ? { starts: new Int32Array(new Uint8Array(starts).buffer) } : {}),
    ...(sorted ? { sorted } : {}),
  };
}

/** The cached sorted text of `record`'s hrefs, if it is that: it must hash to the record's contentDigest. */
export function sortedTextOf(cached: CachedRecord, record: Pick<SnapshotRecord, 'contentDigest' | 'extraMetadata'>): Buffer | undefined {
  return cached.sorted && digestOfPieces([cached.sorted], contentTrailer(record.extraMetadata)) === record.contentDigest ? cached.sorted : undefined;
}

/**
 * Keeps snapshot `id`'s line starts and sorted hrefs text. Written while the snapshot is (before it is
 * published, so the sync does not wait for it afterwards); keepRecordCache removes the others once it is.
 * Best effort: a cache that cannot be written only makes the next sync slower.
 */
export async function writeRecordCache(layout: Store, repo: string, id: string, starts: Int32Array, sorted: readonly Uint8Array[]): Promise<void> {
  const dir = recordCacheDir(layout, repo);
  try {
    await makeDirectory(dir);
    const entry = async (name: string, data: Iterable<Uint8Array>) => {
      const temp = join(dir, `.${name}.${process.pid}.tmp`);
      await writeFile(temp, data);
      await rename(temp, join(dir, name));
    };
    await Promise.all([entry(`${id}.starts`, [new Uint8Array(starts.buffer, starts.byteOffset, starts.byteLength)]), entry(`${id}.sorted`, sorted)]);
  } catch {
    // see above
  }
}

/** Removes every entry but snapshot `id`'s (the latest one, just published). Best effort, like the above. */
export async function keepRecordCache(layout: Store, repo: string, id: string): Promise<void> {
  const dir = recordCacheDir(layout, repo);
  const keep = new Set([`${id}.starts`, `${id}.sorted`]);
  try {
    for (const name of await readdir(dir)) if (!keep.has(name)) await rm(join(dir, name), { force: true, recursive: true });
  } catch {
    // none yet, or see above
  }
}
