import { silentLogger, type Logger, type Store } from '@ovirt-repo/core';
import { retentionLockName, withStoreLock } from '../lock/store-locks.js';
import { validateRepoName } from '../store/names.js';
import { readPins, removePin, writePin, type Pin } from '../store/pins.js';
import { requireSnapshot } from '../store/repo-state.js';
import { assertOwnParts } from '../store/store-parts.js';
import { tryRefreshStatusPages } from '../status/write-status.js';
import { resolveSnapshotId } from './show-snapshot.js';

export interface PinResult {
  repo: string;
  id: string;
  pinned: boolean;
  /** False when the snapshot already was in the requested state. */
  changed: boolean;
  pin?: Pin;
}

export interface PinOptions {
  /** Why (shown by snapshot list/show and the status page); replaces the reason of an existing pin. */
  reason?: string;
  /** The reason for a snapshot that was not pinned yet, when `reason` is not given (an existing pin keeps its own). */
  defaultReason?: string;
  /** Rewrite the status pages afterwards (default true; pinning many snapshots does it once at the end). */
  refreshStatus?: boolean;
  logger?: Logger;
}

/** Pin a snapshot so gc keeps it whatever its age (under the repo's retention lock, so gc cannot race). */
export async function pinSnapshot(store: Store, repo: string, idArg: string, options: PinOptions = {}): Promise<PinResult> {
  const log = options.logger ?? silentLogger;
  validateRepoName(repo);
  await assertOwnParts(store);
  const id = await resolveSnapshotId(store, repo, idArg);
  const r = await withStoreLock(store, retentionLockName(repo), { purpose: `pin ${repo}/${id}`, timeoutMs: 120_000, outlastDeadHolder: true, logger: log }, async () => {
    await requireSnapshot(store, repo, id);
    const had = (await readPins(store, repo)).get(id);
    const reason = options.reason ?? (had ? had.reason : options.defaultReason);
    const pin = had && had.reason === reason ? had : await writePin(store, repo, id, reason);
    return { repo, id, pinned: true, changed: !had || had.reason !== reason, pin };
  });
  if (r.changed && (options.refreshStatus ?? true)) await tryRefreshStatusPages(store, log, `pinned ${repo}/${id}`);
  return r;
}

export async function unpinSnapshot(store: Store, repo: string, idArg: string, options: Pick<PinOptions, 'refreshStatus' | 'logger'> = {}): Promise<PinResult> {
  const log = options.logger ?? silentLogger;
  validateRepoName(repo);
  await assertOwnParts(store);
  const id = await resolveSnapshotId(store, repo, idArg);
  const r = await withStoreLock(store, retentionLockName(repo), { purpose: `unpin ${repo}/${id}`, timeoutMs: 120_000, outlastDeadHolder: true, logger: log }, async () => {
    const removed = await removePin(store, repo, id);
    return { repo, id, pinned: false, changed: removed };
  });
  if (r.changed && (options.refreshStatus ?? true)) await tryRefreshStatusPages(store, log, `unpinned ${repo}/${id}`);
  return r;
}
