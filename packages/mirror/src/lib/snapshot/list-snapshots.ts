import type { Store } from '@ovirt-repo/core';
import { snapshotUrl } from '../store/layout.js';
import { validateRepoName } from '../store/names.js';
import { readPins } from '../store/pins.js';
import { listSnapshotIds, readLatest, requireRepo } from '../store/repo-state.js';
import { parseSnapshotId } from '../store/snapshot-id.js';
import { readSnapshotRecord, type SyncMode } from '../store/snapshot-record.js';

export interface SnapshotSummary {
  id: string;
  /** ISO time the id stands for. */
  time: string;
  packages: number | null;
  /** Total package bytes. */
  size: number | null;
  pinned: boolean;
  pinReason?: string;
  latest: boolean;
  mode?: SyncMode;
  /** Absent when no base URL is known (an s3:// store without --base-url or baseUrl: in ovirt-repo.yaml). */
  url?: string;
}

export interface ListSnapshotsResult {
  repo: string;
  latest?: string;
  snapshots: SnapshotSummary[];
}

export async function listSnapshots(store: Store, repo: string, options: { baseUrl?: string }): Promise<ListSnapshotsResult> {
  validateRepoName(repo);
  await requireRepo(store, repo);
  const [ids, latest, pins] = await Promise.all([listSnapshotIds(store, repo), readLatest(store, repo), readPins(store, repo)]);
  const snapshots: SnapshotSummary[] = [];
  for (const id of ids) {
    const rec = await readSnapshotRecord(store, repo, id).catch(() => undefined);
    const pin = pins.get(id);
    snapshots.push({
      id,
      time: new Date(parseSnapshotId(id) ?? 0).toISOString(),
      packages: rec ? rec.stats.packages : null,
      size: rec ? rec.stats.bytes : null,
      pinned: Boolean(pin),
      ...(pin?.reason ? { pinReason: pin.reason } : {}),
      latest: id === latest,
      ...(rec ? { mode: rec.mode } : {}),
      ...(options.baseUrl ? { url: snapshotUrl(options.baseUrl, repo, id) } : {}),
    });
  }
  return { repo, latest, snapshots };
}
