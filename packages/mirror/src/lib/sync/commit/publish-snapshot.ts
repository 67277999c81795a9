import { ErrorCodes, type StagedWrite, type Store } from '@ovirt-repo/core';
import { createHistoryRecord, rollForward } from '../../store/history.js';
import { snapshotKey } from '../../store/layout.js';
import { pauseForTest } from '../shared/test-hooks.js';

/**
 * The commit protocol of a sync (docs/internals.md, "The commit protocol"); correctness rests on the
 * store's create-only write, not on the repo lock, so a writer presumed dead and its successor may both
 * get here:
 * 1. the staged snapshot is committed: visible whole under its id, but nothing refers to it yet;
 * 2. the history record on `parent` is created (create-only): the commit point. Of writers that built on
 *    the same parent exactly one creates it; a loser removes its own snapshot and returns false, to build
 *    again on the new head;
 * 3. latest.txt is moved forward to the head by compare-and-swap.
 * A kill before 2 leaves a snapshot no record names (gc removes it after its grace period); a kill
 * between 2 and 3 leaves latest.txt one step behind, and whoever reads the repo next follows the record
 * (writers and gc also move latest.txt). Either way the repo's latest is a complete snapshot.
 */
export async function publishSnapshot(store: Store, repo: string, id: string, staged: StagedWrite, parent: string | undefined, now?: number): Promise<boolean> {
  await pauseForTest('before-rename');
  try {
    await staged.commit();
  } catch (e) {
    // Another writer, not holding the lock either, committed a snapshot of the same id: it is theirs.
    if ((e as { code?: string }).code === ErrorCodes.CONFLICT) return false;
    throw e;
  }
  await pauseForTest('before-latest');
  if (!(await createHistoryRecord(store, repo, id, parent, now))) {
    await store.remove(snapshotKey(repo, id));
    return false;
  }
  await pauseForTest('before-cas');
  await rollForward(store, repo);
  await pauseForTest('after-latest');
  return true;
}
