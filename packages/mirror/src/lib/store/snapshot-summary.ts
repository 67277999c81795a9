import type { Store } from '@ovirt-repo/core';
import { SNAPSHOT_SUMMARY, snapshotKey } from './layout.js';
import type { SyncMode } from './snapshot-record.js';

/** How a snapshot differs from the one it was made after, by name.arch (as `snapshot diff` counts). */
export interface SnapshotChanges {
  added: number;
  removed: number;
  upgraded: number;
  downgraded: number;
  rebuilt: number;
  unchanged: number;
}

export type ChangeKind = Exclude<keyof SnapshotChanges, 'unchanged'>;
export const CHANGE_KINDS: readonly ChangeKind[] = ['added', 'removed', 'upgraded', 'downgraded', 'rebuilt'];

/**
 * summary.json: a few hundred bytes written beside snapshot.json before the snapshot is published (so it
 * never changes either). Status pages read it for every snapshot on every index write; snapshot.json,
 * with one entry per package, would make that cost grow with repo size times history length.
 */
export interface SnapshotSummaryRecord {
  format: 1;
  repo: string;
  id: string;
  createdAt: string;
  mode: SyncMode;
  packages: number;
  bytes: number;
  /** The snapshot `changes` are counted against (the latest one when this was made); absent for a repo's first. */
  base?: string;
  changes: SnapshotChanges;
  /** Some changed packages per kind, for people (`vdsm.x86_64 4.50.1-1.el9 -> 4.50.2-1.el9`); at most CHANGE_SAMPLE each. */
  sample: Record<ChangeKind, string[]>;
  /** Where the packages came from (credentials already removed, as in snapshot.json). */
  sources: string[];
}

/** How many changed packages per kind a summary names. */
export const CHANGE_SAMPLE = 20;

/**
 * The summary of a snapshot, or undefined when it has none (made before summaries existed, or damaged):
 * callers fall back to snapshot.json's stats and show the changes as unknown.
 */
export async function readSnapshotSummary(store: Store, repo: string, id: string): Promise<SnapshotSummaryRecord | undefined> {
  let text: string;
  try {
    const found = await store.read(`${snapshotKey(repo, id)}/${SNAPSHOT_SUMMARY}`, { maxBytes: 1024 * 1024 });
    if (!found) return undefined;
    text = found.data.toString('utf8');
  } catch {
    return undefined;
  }
  try {
    const s = JSON.parse(text) as Partial<SnapshotSummaryRecord>;
    if (s.format !== 1 || typeof s.packages !== 'number' || typeof s.changes !== 'object' || s.changes === null) return undefined;
    return { sample: { added: [], removed: [], upgraded: [], downgraded: [], rebuilt: [] }, sources: [], ...s } as SnapshotSummaryRecord;
  } catch {
    return undefined;
  }
}
