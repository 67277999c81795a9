import { ErrorCodes, OvirtRepoError, type StagedWrite, type Store, type StoreLock } from '@ovirt-repo/core';
import { readLatest, writeLatest } from '../../store/repo-state.js';
import { pauseForTest } from '../shared/test-hooks.js';

/**
 * The commit point of a sync. Under the repo lock (checked once more, so a writer presumed dead can never
 * publish over its successor): commit the staged snapshot (the store makes it visible whole and durable
 * under its id), then move latest to it (compare-and-swap). A kill before the commit leaves only what the
 * store's leftover clean-up removes; a kill between the two leaves a complete snapshot that is not latest
 * yet; either way latest names a complete snapshot.
 */
export async function publishSnapshot(layout: Store, repo: string, id: string, staged: StagedWrite, lock: StoreLock, expectedLatest: string | undefined): Promise<void> {
  await lock.assertHeld();
  const current = await readLatest(layout, repo);
  if (current !== expectedLatest) {
    throw new OvirtRepoError(ErrorCodes.LOCKED, `latest snapshot of ${repo} changed during the sync (${expectedLatest ?? 'none'} -> ${current ?? 'none'})`, {
      target: repo,
      hint: 'another writer bypassed the repo lock; nothing was published by this run, retry it',
    });
  }
  await pauseForTest('before-rename');
  await staged.commit();
  await pauseForTest('before-latest');
  await writeLatest(layout, repo, id, expectedLatest);
  await pauseForTest('after-latest');
}
