import type { Logger, Store } from '@ovirt-repo/core';
import { listHistory, readLatestPointer, rollForward } from '../store/history.js';
import { SNAPSHOT_RECORD, historyKey, snapshotKey } from '../store/layout.js';
import { listSnapshotIds, readLatest } from '../store/repo-state.js';
import { parseSnapshotId } from '../store/snapshot-id.js';

/**
 * A repo's snapshots as gc sees them (history.ts explains the records):
 * - committed: in the history (a record's parent, or the head), or older than the history's first record
 *   (made before this version wrote records): retention decides about them;
 * - unrecorded: newer than the history's start, yet no record names them: a writer that lost the commit
 *   and was killed before removing its snapshot, or one between committing its snapshot and creating its
 *   record right now. Only their age tells the two apart (see staleUnrecorded).
 * The head is read (and latest.txt moved forward to it) before the records are listed, so a snapshot that
 * was the head when read is in the listing if a writer has built on it since.
 */
export async function classifySnapshots(store: Store, repo: string, options: { write: boolean; log: Logger }): Promise<{ head?: string; committed: string[]; unrecorded: string[] }> {
  const ids = await listSnapshotIds(store, repo);
  const head = options.write ? await rollForward(store, repo, options.log) : await readLatest(store, repo);
  const history = await listHistory(store, repo);
  const start = history.root ? '' : [...history.parents].sort()[0];
  const committed: string[] = [];
  const unrecorded: string[] = [];
  for (const id of ids) {
    if (start === undefined || id < start || id === head || history.parents.has(id)) committed.push(id);
    else unrecorded.push(id);
  }
  return { head, committed, unrecorded };
}

/**
 * The unrecorded snapshots that are older than `graceMs` (by the store's clock: the modification time of
 * their snapshot.json, else their id's time) and not pinned: no writer is still about to record them.
 */
export async function staleUnrecorded(store: Store, repo: string, unrecorded: readonly string[], pinned: ReadonlySet<string>, graceMs: number): Promise<string[]> {
  const stale: string[] = [];
  for (const id of unrecorded) {
    if (pinned.has(id)) continue;
    const made = (await store.stat(`${snapshotKey(repo, id)}/${SNAPSHOT_RECORD}`, { objectOnly: true }))?.mtimeMs ?? parseSnapshotId(id) ?? Date.now();
    if (Date.now() - made > graceMs) stale.push(id);
  }
  return stale;
}

/**
 * Remove the records on snapshots that are gone and older than what latest.txt names. No walk ever reads
 * them: a walk starts at latest.txt, which only moves forward, and reads records on newer snapshots only.
 * The records of snapshots that stay are kept (the history of what is kept), and so is root.json.
 */
export async function pruneHistory(store: Store, repo: string, log: Logger): Promise<number> {
  const pointer = await readLatestPointer(store, repo);
  if (!pointer) return 0;
  const present = new Set(await listSnapshotIds(store, repo));
  let removed = 0;
  for (const parent of (await listHistory(store, repo)).parents) {
    if (present.has(parent) || parent >= pointer.id) continue;
    await store.remove(historyKey(repo, parent));
    log.debug(`removed the history record of ${repo}/${parent}, a snapshot that is gone`);
    removed++;
  }
  return removed;
}
