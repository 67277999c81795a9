import { silentLogger, withLock, type Logger } from '@ovirt-repo/core';
import { retentionLockPath } from '../lock/store-locks.js';
import type { StoreLayout } from '../store/layout.js';
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
export async function pinSnapshot(layout: StoreLayout, repo: string, idArg: string, options: PinOptions = {}): Promise<PinResult> {
  const log = options.logger ?? silentLogger;
  validateRepoName(repo);
  await assertOwnParts(layout);
  const id = await resolveSnapshotId(layout, repo, idArg);
  const r = await withLock(retentionLockPath(layout, repo), { purpose: `pin ${repo}/${id}`, timeoutMs: 120_000, logger: log }, async () => {
    await requireSnapshot(layout, repo, id);
    const had = (await readPins(layout, repo)).get(id);
    const reason = options.reason ?? (had ? had.reason : options.defaultReason);
    const pin = had && had.reason === reason ? had : await writePin(layout, repo, id, reason);
    return { repo, id, pinned: true, changed: !had || had.reason !== reason, pin };
  });
  if (r.changed && (options.refreshStatus ?? true)) await tryRefreshStatusPages(layout, log, `pinned ${repo}/${id}`);
  return r;
}

export async function unpinSnapshot(layout: StoreLayout, repo: string, idArg: string, options: Pick<PinOptions, 'refreshStatus' | 'logger'> = {}): Promise<PinResult> {
  const log = options.logger ?? silentLogger;
  validateRepoName(repo);
  await assertOwnParts(layout);
  const id = await resolveSnapshotId(layout, repo, idArg);
  const r = await withLock(retentionLockPath(layout, repo), { purpose: `unpin ${repo}/${id}`, timeoutMs: 120_000, logger: log }, async () => {
    const removed = await removePin(layout, repo, id);
    return { repo, id, pinned: false, changed: removed };
  });
  if (r.changed && (options.refreshStatus ?? true)) await tryRefreshStatusPages(layout, log, `unpinned ${repo}/${id}`);
  return r;
}
