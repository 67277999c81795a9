import { isSnapshotId } from './names.js';

/** `20261126T102233.123Z` for a time (UTC, millisecond precision). */
export function formatSnapshotId(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-11-26T10:22:33.123Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 23)}Z`;
}

/** The time a snapshot id stands for (ms since the epoch), or undefined for a malformed id. */
export function parseSnapshotId(id: string): number | undefined {
  if (!isSnapshotId(id)) return undefined;
  const iso = `${id.slice(0, 4)}-${id.slice(4, 6)}-${id.slice(6, 8)}T${id.slice(9, 11)}:${id.slice(11, 13)}:${id.slice(13, 19)}Z`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) || formatSnapshotId(ms) !== id ? undefined : ms;
}

/**
 * A new snapshot id, strictly greater than every existing one. Called under the repo's writer lock, so two
 * writers never pick the same id; when the clock says "now" is not after the newest id (same millisecond,
 * or a clock that went backwards) the id is the newest one plus one millisecond. Ids stay valid UTC times,
 * sort as plain strings, and never repeat.
 */
export function nextSnapshotId(existing: Iterable<string>, now: number = Date.now()): string {
  let newest: number | undefined;
  for (const id of existing) {
    const t = parseSnapshotId(id);
    if (t !== undefined && (newest === undefined || t > newest)) newest = t;
  }
  const t = newest !== undefined && now <= newest ? newest + 1 : now;
  return formatSnapshotId(t);
}
