import { silentLogger, type Logger } from '@ovirt-repo/core';
import { withLock } from '../lock/file-lock.js';
import { retentionLockPath } from '../lock/store-locks.js';
import type { StoreLayout } from '../store/layout.js';
import { validateRepoName } from '../store/names.js';
import { readPins, removePin, writePin, type Pin } from '../store/pins.js';
import { requireSnapshot } from '../store/repo-state.js';
import { resolveSnapshotId } from './show-snapshot.js';

export interface PinResult {
  repo: string;
  id: string;
  pinned: boolean;
  /** False when the snapshot already was in the requested state. */
  changed: boolean;
  pin?: Pin;
}

/** Pin a snapshot so gc keeps it whatever its age (under the repo's retention lock, so gc cannot race). */
export async function pinSnapshot(layout: StoreLayout, repo: string, idArg: string, options: { reason?: string; logger?: Logger } = {}): Promise<PinResult> {
  validateRepoName(repo);
  const id = await resolveSnapshotId(layout, repo, idArg);
  return withLock(retentionLockPath(layout, repo), { purpose: `pin ${repo}/${id}`, timeoutMs: 120_000, logger: options.logger ?? silentLogger }, async () => {
    await requireSnapshot(layout, repo, id);
    const had = (await readPins(layout, repo)).get(id);
    const pin = await writePin(layout, repo, id, options.reason ?? had?.reason);
    return { repo, id, pinned: true, changed: !had, pin };
  });
}

export async function unpinSnapshot(layout: StoreLayout, repo: string, idArg: string, options: { logger?: Logger } = {}): Promise<PinResult> {
  validateRepoName(repo);
  const id = await resolveSnapshotId(layout, repo, idArg);
  return withLock(retentionLockPath(layout, repo), { purpose: `unpin ${repo}/${id}`, timeoutMs: 120_000, logger: options.logger ?? silentLogger }, async () => {
    const removed = await removePin(layout, repo, id);
    return { repo, id, pinned: false, changed: removed };
  });
}
