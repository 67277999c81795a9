import { endsChunk, type ChunkedMetadata, type ChunkReuse, type CopiedChunk, type DeferredPackage, type ReusedChunk } from '@ovirt-repo/core';
import type { PlacedChunkIndex, RecordPlaces } from '../store/metadata-chunks.js';
import type { RecordLines } from '../store/record-lines.js';
import type { SnapshotPackage } from '../store/snapshot-record.js';
import { hrefOf, isCandidate, type Candidate } from './candidates.js';
import type { Joined, JoinedItem } from './join-packages.js';
import type { PreviousMetadata } from './previous-entries.js';
import type { SelectionEdit } from './select-packages.js';

type Edit = SelectionEdit<SnapshotPackage, Candidate>;

export interface IncrementalMetadata {
  /** What to write, in order: whole chunks of the latest snapshot, and packages. */
  packages: AsyncIterable<JoinedItem | CopiedChunk>;
  /** For the packages given one by one: the latest snapshot's chunks they make up again. */
  reuse: ChunkReuse;
  /** Where every package is in the new snapshot.json. */
  places: RecordPlaces;
}

/** The chunk, and the place in it, of every package of the latest record. */
function chunkPlaces(index: PlacedChunkIndex, n: number): { chunkOf: Int32Array; placeInChunk: Int32Array } {
  const chunkOf = new Int32Array(n).fill(-1);
  const placeInChunk = new Int32Array(n);
  // Indexed loops here and below, not callbacks: each runs once a sync over every package, before the JIT
  // has optimised it, where a callback a package costs several times more.
  for (let c = 0; c < index.places.length; c++) {
    const places = index.places[c] as readonly number[];
    for (let i = 0; i < places.length; i++) {
      chunkOf[places[i] as number] = c;
      placeInChunk[places[i] as number] = i;
    }
  }
  return { chunkOf, placeInChunk };
}

/** f of each place, in a loop (see chunkPlaces). */
function mapPlaces<T>(places: readonly number[], f: (place: number) => T): T[] {
  const out = new Array<T>(places.length);
  for (let i = 0; i < places.length; i++) out[i] = f(places[i] as number);
  return out;
}

/** Whether `places` follow one another (see chunkPlaces for the loop). */
function consecutive(places: readonly number[]): boolean {
  for (let i = 1; i < places.length; i++) if (places[i] !== (places[0] as number) + i) return false;
  return true;
}

/**
 * The new metadata of an incremental deploy (incremental-sync.ts), in the order the general pipeline
 * writes it: the packages kept from the latest snapshot in record order, then those from the sources.
 *
 * A chunk of the latest snapshot's metadata whose packages all stay, one after another in the record, is
 * given to the writer whole (core's CopiedChunk): a deploy into a repo of tens of thousands of packages
 * then costs nothing per package of the chunks it does not touch. Only chunks that end where
 * content-defined chunking ends one are given whole (not a file's last chunk): so the files, and where
 * their chunks end, are the same as the general pipeline's.
 */
export function incrementalMetadata(
  lines: RecordLines,
  edits: readonly Edit[],
  index: PlacedChunkIndex,
  previous: ChunkedMetadata,
  fromSources: (inLatest: PreviousMetadata) => AsyncIterable<JoinedItem>,
): IncrementalMetadata {
  const n = lines.length;
  const { chunkOf, placeInChunk } = chunkPlaces(index, n);
  // A package the sources offer again (the very same file) is taken from the latest snapshot's chunk.
  const replaced = new Map(edits.flatMap((e) => e.before.map((p, i) => [p.href, e.at + i] as const)));
  const inLatest: PreviousMetadata = {
    entriesOf(c) {
      const p = replaced.get(c.poolHref);
      return p === undefined ? undefined : previous.deferredAt(chunkOf[p] as number, placeInChunk[p] as number, c.poolHref);
    },
  };
  const newPlace = placesInNewRecord(edits);
  const whole = wholeChunks(lines, edits, index);
  const placed = new Map<string, number>();
  const oldPlace = new Map<string, number>();
  for (const [e, edit] of edits.entries()) edit.after.forEach((p, i) => placed.set(hrefOf(p), newPlace.group(e) + i));

  const one = (p: number, href: string): Joined => {
    oldPlace.set(href, p);
    if (!placed.has(href)) placed.set(href, newPlace.of(p));
    return previous.deferredAt(chunkOf[p] as number, placeInChunk[p] as number, href) as Joined;
  };

  async function* packages(): AsyncGenerator<JoinedItem | CopiedChunk> {
    let batch: Joined[] = [];
    let e = 0;
    for (let p = 0; p < n; ) {
      // Edits at this place (or, for additions alone, inside a chunk just given whole: they keep nothing).
      let edited = false;
      while (e < edits.length && (edits[e] as Edit).at <= p) {
        const edit = edits[e++] as Edit;
        if (edit.at < p) continue;
        edit.after.forEach((q) => {
          if (!isCandidate(q)) batch.push(one(edit.at + edit.before.findIndex((b) => b.href === q.href), q.href));
        });
        if (edit.end > p) p = edit.end;
        edited = true;
      }
      if (edited) continue;
      const c = whole.get(p);
      if (c !== undefined) {
        if (batch.length > 0) yield batch;
        batch = [];
        const places = index.places[c] as readonly number[];
        yield { copiedChunk: previous.copied(c), count: places.length, label: mapPlaces(places, (q) => newPlace.of(q)), packages: () => places.map((q) => one(q, lines.hrefAt(q)) as DeferredPackage) };
        p += places.length;
        continue;
      }
      batch.push(one(p, lines.hrefAt(p)));
      p++;
    }
    if (batch.length > 0) yield batch;
    yield* fromSources(inLatest);
  }

  const reuse: ChunkReuse = {
    // Only packages given one by one come here: they are found by their place in the latest record.
    find(keys) {
      const first = oldPlace.get(keys[0] ?? '');
      if (first === undefined || placeInChunk[first] !== 0) return undefined;
      const c = chunkOf[first] as number;
      const places = index.places[c] as readonly number[];
      if (places.length !== keys.length || places.some((q, i) => lines.hrefAt(q) !== keys[i])) return undefined;
      return previous.copied(c) satisfies ReusedChunk;
    },
  };
  return {
    packages: packages(),
    reuse,
    places: { of: (key) => placed.get(key), ofLabel: (label) => label as readonly number[] },
  };
}

/**
 * Where the latest record's packages and the edited groups go in the new one: the record is the old lines
 * with each group replaced (recordPieces), so a package after an edit moves by what the edit added.
 */
function placesInNewRecord(edits: readonly Edit[]): { of(p: number): number; group(e: number): number } {
  const ends: number[] = [];
  const shifts: number[] = [];
  const starts: number[] = [];
  let shift = 0;
  for (const e of edits) {
    starts.push(e.at + shift);
    shift += e.after.length - (e.end - e.at);
    ends.push(e.end);
    shifts.push(shift);
  }
  return {
    // The shift of the last edit ending at or before p (edits come in the order of their places).
    of(p) {
      let lo = 0;
      let hi = ends.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((ends[mid] as number) <= p) lo = mid + 1;
        else hi = mid;
      }
      return p + (lo === 0 ? 0 : (shifts[lo - 1] as number));
    },
    group: (e) => starts[e] as number,
  };
}

/**
 * The latest snapshot's chunks that can be given whole, by the place of their first package: places one
 * after another, none of them in an edited group, and the last one a package content-defined chunking
 * ends a chunk at.
 */
function wholeChunks(lines: RecordLines, edits: readonly Edit[], index: PlacedChunkIndex): Map<number, number> {
  const out = new Map<number, number>();
  index.places.forEach((places, c) => {
    const first = places[0];
    const last = places[places.length - 1];
    if (first === undefined || last === undefined || !consecutive(places)) return;
    if (edits.some((e) => e.at <= last && e.end > first && e.end > e.at)) return;
    if (!endsChunk(lines.hrefAt(last))) return;
    out.set(first, c);
  });
  return out;
}
