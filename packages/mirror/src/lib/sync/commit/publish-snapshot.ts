import { rename } from 'node:fs/promises';
import { ErrorCodes, fsyncPath, ioError, OvirtRepoError, type Store, type StoreLock } from '@ovirt-repo/core';
import { repoDir, snapshotDir } from '../../store/layout.js';
import { readLatest, writeLatest } from '../../store/repo-state.js';
import { pauseForTest } from '../shared/test-hooks.js';

/**
 * The commit point of a sync. Under the repo lock (checked once more, so a writer presumed dead can never
 * publish over its successor): rename the complete staging directory to its id (atomic; fsync the parent),
 * then point latest.txt at it (atomic write). A kill before the rename leaves only a temp directory; a
 * kill between the two leaves a complete snapshot that is not latest yet; either way latest.txt names a
 * complete snapshot.
 */
export async function publishSnapshot(layout: Store, repo: string, id: string, stagingDir: string, lock: StoreLock, expectedLatest: string | undefined): Promise<string> {
  await lock.assertHeld();
  const current = await readLatest(layout, repo);
  if (current !== expectedLatest) {
    throw new OvirtRepoError(ErrorCodes.LOCKED, `latest snapshot of ${repo} changed during the sync (${expectedLatest ?? 'none'} -> ${current ?? 'none'})`, {
      target: repo,
      hint: 'another writer bypassed the repo lock; nothing was published by this run, retry it',
    });
  }
  const final = snapshotDir(layout, repo, id);
  await pauseForTest('before-rename');
  try {
    await rename(stagingDir, final);
  } catch (e) {
    throw ioError('publish snapshot', final, e);
  }
  await fsyncPath(repoDir(layout, repo));
  await pauseForTest('before-latest');
  await writeLatest(layout, repo, id, expectedLatest);
  await pauseForTest('after-latest');
  return final;
}
