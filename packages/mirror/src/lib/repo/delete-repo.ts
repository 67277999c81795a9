import { ErrorCodes, OvirtRepoError, plural, silentLogger, type Logger, type Store } from '@ovirt-repo/core';
import { writeIndex } from '../index/write-index.js';
import { repoLockName, retentionLockName, withStoreLocks } from '../lock/store-locks.js';
import { cacheKey, defaultBaseUrl, repoKey } from '../store/layout.js';
import { validateRepoName } from '../store/names.js';
import { finishCommand, readPending, removePending, writePending, type PendingOperation } from '../store/pending.js';
import { readPins } from '../store/pins.js';
import { listSnapshotIds, readLatest } from '../store/repo-state.js';
import { assertOwnParts } from '../store/store-parts.js';
import { pauseForTest } from '../sync/shared/test-hooks.js';

export interface RepoLockOptions {
  /** How long to wait for a sync (or another command) holding the repo's lock; then E_LOCKED. Default 10 minutes. */
  lockTimeoutMs?: number;
  staleAfterMs?: number;
  /** The URL the index names snapshots by (default: the store's own, local stores only). */
  baseUrl?: string;
  logger?: Logger;
}

export interface DeleteRepoOptions extends RepoLockOptions {
  /** Delete even when snapshots are pinned (the pins go with the repo). */
  force?: boolean;
}

export interface DeleteRepoResult {
  repo: string;
  /** How many snapshots went, and the latest one; absent when a rerun finished an interrupted delete. */
  snapshots?: number;
  latest?: string;
  /** The pins removed with the repo (--force). */
  pins: string[];
  /** True when this run finished a delete that was interrupted before. */
  resumed: boolean;
  /** Packages stay in the pool (other repos may use them): `ovirt-repo gc` removes those no snapshot uses. */
  poolLeftForGc: true;
}

export const DEFAULT_REPO_LOCK_TIMEOUT_MS = 10 * 60_000;

/** The repo's writer lock (sync's) and its retention lock (pin, gc), for commands that change a whole repo. */
export function repoLocks(...repos: string[]): string[] {
  return repos.flatMap((r) => [repoLockName(r), retentionLockName(r)]);
}

/**
 * Remove a repo: its snapshots, pins, history and caches, under its locks. The marker goes first (the repo
 * leaves every listing and the index at once), then the objects, then the marker; a kill anywhere leaves the
 * marker, and the next `repo delete` finishes. Pool files are left for gc.
 */
export async function deleteRepo(store: Store, repo: string, options: DeleteRepoOptions = {}): Promise<DeleteRepoResult> {
  const log = options.logger ?? silentLogger;
  validateRepoName(repo);
  await assertOwnParts(store);
  const baseUrl = options.baseUrl ?? defaultBaseUrl(store);
  const lockOptions = { purpose: `repo delete of ${repo}`, timeoutMs: options.lockTimeoutMs ?? DEFAULT_REPO_LOCK_TIMEOUT_MS, staleAfterMs: options.staleAfterMs, logger: log };
  return withStoreLocks(store, repoLocks(repo), lockOptions, async () => {
    const pending = await readPending(store, repo);
    if (pending) assertDeletable(store, pending, await readPending(store, pending.from ?? repo));
    let result: DeleteRepoResult = { repo, pins: [], resumed: pending?.op === 'delete', poolLeftForGc: true };
    if (!pending) {
      const ids = await listSnapshotIds(store, repo);
      if (ids.length === 0 && !(await store.stat(repoKey(repo)))) {
        throw new OvirtRepoError(ErrorCodes.NOT_FOUND, `repo ${repo} does not exist in store ${store.location}`, {
          target: store.locationOf(repoKey(repo)),
          hint: 'list the repos with: ovirt-repo repo list',
        });
      }
      const pins = await readPins(store, repo);
      if (pins.size > 0 && !options.force) {
        const named = [...pins.values()].map((p) => `${p.id}${p.reason ? ` (${p.reason})` : ''}`).join(', ');
        throw new OvirtRepoError(ErrorCodes.CONFLICT, `repo ${repo} has ${plural(pins.size, 'pinned snapshot')}: ${named}; nothing was deleted`, {
          target: store.locationOf(repoKey(repo)),
          hint: `pins keep what a release or test run used. Unpin them first (ovirt-repo snapshot unpin ${repo} ID), or delete the repo with its pins: ovirt-repo repo delete ${repo} --force`,
        });
      }
      result = { ...result, snapshots: ids.length, pins: [...pins.keys()].sort() };
      const latest = await readLatest(store, repo).catch(() => undefined);
      if (latest) result.latest = latest;
      await writePending(store, repo, { op: 'delete' });
    }
    await pauseForTest('repo-delete-marked');
    await removeRepoObjects(store, repo, baseUrl, log);
    return result;
  });
}

/**
 * What follows the marker of a delete (by `repo delete` or a rename): the index without the repo, then the
 * repo's objects and caches, then the marker. The caller holds the repo's locks.
 */
export async function removeRepoObjects(store: Store, repo: string, baseUrl: string, log: Logger): Promise<void> {
  await writeIndex(store, { baseUrl, logger: log });
  await pauseForTest('repo-delete-indexed');
  await store.remove(repoKey(repo));
  await store.remove(cacheKey(repo));
  await pauseForTest('repo-delete-removed');
  await removePending(store, repo);
  log.debug(`removed repo ${repo}`);
}

/**
 * A marked repo may be deleted unless that would lose a rename's only whole copy: an interrupted rename
 * (this repo renamed away, or made by a rename whose source is already going) is finished by rerunning it.
 */
function assertDeletable(store: Store, pending: PendingOperation, source: PendingOperation | undefined): void {
  const halfRename = pending.op === 'delete' ? pending.renamedTo !== undefined : source?.op === 'delete' && source.renamedTo === pending.repo;
  if (!halfRename) return;
  throw new OvirtRepoError(ErrorCodes.CONFLICT, `repo ${pending.repo} is in the middle of a rename that was interrupted; nothing was deleted`, {
    target: store.location,
    hint: `finish the rename first (${finishCommand(pending)}), then delete the repo it made`,
  });
}
