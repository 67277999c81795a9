import { ErrorCodes, OvirtRepoError, isSymlinkCapable, silentLogger, type Store } from '@ovirt-repo/core';
import { withStoreLocks } from '../lock/store-locks.js';
import { repoKey, SNAPSHOT_POOL_LINK, SNAPSHOT_POOL_TARGET, SNAPSHOT_RECORD, STATUS_PAGE, defaultBaseUrl } from '../store/layout.js';
import { validateRepoName } from '../store/names.js';
import { assertNotPending, readPending, removePending, writePending } from '../store/pending.js';
import { listSnapshotIds } from '../store/repo-state.js';
import { assertOwnParts } from '../store/store-parts.js';
import { pauseForTest } from '../sync/shared/test-hooks.js';
import { DEFAULT_REPO_LOCK_TIMEOUT_MS, removeRepoObjects, repoLocks, type RepoLockOptions } from './delete-repo.js';

export interface RenameRepoResult {
  from: string;
  to: string;
  /** The snapshots the repo has under its new name (same ids, same pins). */
  snapshots: number;
  /** True when this run finished a rename that was interrupted before. */
  resumed: boolean;
}

/**
 * Rename a repo, under both repos' locks (taken in a fixed order). No store can rename a prefix in one step
 * (an object store copies object by object), so the new repo is made complete first, out of sight, and
 * only then the old one goes (pending.ts):
 * 1. `to` is marked `rename` from `from` (hidden from listings; gc counts its packages as used);
 * 2. every object of `from` is copied to `to` (each snapshot's snapshot.json first), as it is: snapshots
 *    keep their ids, their repodata and signatures, and the repo its pins and history;
 * 3. `from` is marked `delete`, renamed to `to`; then `to`'s marker goes: `to` is in sight;
 * 4. the index is rewritten, `from`'s objects removed, then its marker.
 * A kill anywhere leaves markers that say how far it got; a rerun of the same rename goes on from there.
 * Until step 3 `from` is whole and in sight; from step 3 on `to` is whole.
 */
export async function renameRepo(store: Store, from: string, to: string, options: RepoLockOptions = {}): Promise<RenameRepoResult> {
  const log = options.logger ?? silentLogger;
  validateRepoName(from);
  validateRepoName(to);
  if (from === to) throw new OvirtRepoError(ErrorCodes.USAGE, `repo ${from} cannot be renamed to itself`, { hint: 'give the new name as the second argument' });
  await assertOwnParts(store);
  const baseUrl = options.baseUrl ?? defaultBaseUrl(store);
  const lockOptions = { purpose: `repo rename of ${from} to ${to}`, timeoutMs: options.lockTimeoutMs ?? DEFAULT_REPO_LOCK_TIMEOUT_MS, staleAfterMs: options.staleAfterMs, logger: log };
  return withStoreLocks(store, repoLocks(from, to), lockOptions, async () => {
    const source = await readPending(store, from);
    const target = await readPending(store, to);
    const copying = target?.op === 'rename' && target.from === from;
    const copied = source?.op === 'delete' && source.renamedTo === to;
    if (!copied) await assertNotPending(store, from);
    if (!copying && !copied) {
      await assertNotPending(store, to);
      if ((await store.stat(repoKey(from)))?.type !== 'prefix') {
        throw new OvirtRepoError(ErrorCodes.NOT_FOUND, `repo ${from} does not exist in store ${store.location}`, {
          target: store.locationOf(repoKey(from)),
          hint: 'list the repos with: ovirt-repo repo list',
        });
      }
      if (await store.stat(repoKey(to))) {
        throw new OvirtRepoError(ErrorCodes.CONFLICT, `repo ${to} exists already in store ${store.location}; nothing was renamed`, {
          target: store.locationOf(repoKey(to)),
          hint: `choose another name, or delete that repo first (ovirt-repo repo delete ${to})`,
        });
      }
      await writePending(store, to, { op: 'rename', from });
      await pauseForTest('repo-rename-marked');
    }
    if (!copied) {
      // What a killed copy left half-written (temp objects) goes first: we hold `to`'s locks.
      if (copying) await store.removeLeftovers(repoKey(to), { olderThanMs: 0, recursive: true });
      await copyRepoObjects(store, from, to);
      await pauseForTest('repo-rename-copied');
      await writePending(store, from, { op: 'delete', renamedTo: to });
      await pauseForTest('repo-rename-source-marked');
    }
    await removePending(store, to);
    await pauseForTest('repo-rename-visible');
    await removeRepoObjects(store, from, baseUrl, log);
    return { from, to, snapshots: (await listSnapshotIds(store, to)).length, resumed: copying || copied };
  });
}

/**
 * Every object of repo `from` created under `to` as it is (create-only: what a killed run copied already
 * stays), snapshot.json of each snapshot before the rest of it, so a snapshot of `to` that has anything has
 * its package list (gc reads it). A snapshot's pool link is made anew; the status page is left to the index.
 */
async function copyRepoObjects(store: Store, from: string, to: string): Promise<void> {
  const prefix = repoKey(from);
  const entries = (await store.list(prefix, { recursive: true })).filter((e) => e.key.slice(prefix.length + 1) !== STATUS_PAGE);
  const isRecord = (key: string) => key.endsWith(`/${SNAPSHOT_RECORD}`);
  const ordered = [...entries.filter((e) => isRecord(e.key)), ...entries.filter((e) => !isRecord(e.key))];
  for (const e of ordered) {
    const rel = e.key.slice(prefix.length + 1);
    const key = `${repoKey(to)}/${rel}`;
    if (e.type === 'link') {
      if (rel.endsWith(`/${SNAPSHOT_POOL_LINK}`) && isSymlinkCapable(store)) await store.symlink(key, SNAPSHOT_POOL_TARGET);
      continue;
    }
    const opened = await store.open(e.key);
    if (!opened) continue; // removed since the listing: nothing to copy
    await store.create(key, opened.stream);
  }
}
