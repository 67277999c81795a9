import { mapLimit, type Store } from '@ovirt-repo/core';
import { readPins, type Pin } from '../store/pins.js';
import { listRepos, listSnapshotIds, readLatest } from '../store/repo-state.js';
import { parseSnapshotId } from '../store/snapshot-id.js';
import { readSnapshotRecord, type SyncMode } from '../store/snapshot-record.js';
import type { SnapshotChanges, SnapshotSummaryRecord } from '../store/snapshot-summary.js';
import { readSummaries } from './summary-cache.js';

export interface StatusSnapshot {
  id: string;
  /** The time the id stands for (ms since the epoch, UTC). */
  time: number;
  /** null when neither summary.json nor snapshot.json can be read. */
  packages: number | null;
  bytes: number | null;
  /** Changes versus `base`; null when unknown (a snapshot made before summaries were recorded). */
  changes: SnapshotChanges | null;
  /** The snapshot the changes are counted against; undefined for a repo's first snapshot. */
  base?: string;
  sample?: SnapshotSummaryRecord['sample'];
  sources: string[];
  mode?: SyncMode;
  latest: boolean;
  pin?: Pin;
}

export interface StatusRepo {
  name: string;
  latest?: string;
  /** Newest first. */
  snapshots: StatusSnapshot[];
}

export interface StoreStatus {
  repos: StatusRepo[];
}

/**
 * Everything the status pages show, read from the small per-snapshot summary.json files (written once when
 * each snapshot was made; through the summary cache, summary-cache.ts), latest.txt and the pins. Snapshots
 * older than summaries fall back to snapshot.json's stats, with their changes unknown; nothing is diffed
 * here. `keepSummaries`: update the summary cache (the caller holds the index lock).
 */
export async function collectStatus(store: Store, options: { keepSummaries?: boolean } = {}): Promise<StoreStatus> {
  const repos: StatusRepo[] = [];
  for (const name of await listRepos(store)) {
    const [ids, latest, pins] = await Promise.all([listSnapshotIds(store, name), readLatest(store, name).catch(() => undefined), readPins(store, name)]);
    const newestFirst = [...ids].reverse();
    const summaries = await readSummaries(store, name, newestFirst, options.keepSummaries ?? false);
    const snapshots = await mapLimit(newestFirst, 16, (id) => statusSnapshot(store, name, id, summaries.get(id), id === latest, pins.get(id)));
    repos.push({ name, ...(latest ? { latest } : {}), snapshots });
  }
  return { repos };
}

async function statusSnapshot(store: Store, repo: string, id: string, summary: SnapshotSummaryRecord | undefined, latest: boolean, pin: Pin | undefined): Promise<StatusSnapshot> {
  const common = { id, time: parseSnapshotId(id) ?? 0, latest, ...(pin ? { pin } : {}) };
  if (summary) {
    return {
      ...common,
      packages: summary.packages,
      bytes: summary.bytes,
      changes: summary.changes,
      ...(summary.base ? { base: summary.base } : {}),
      sample: summary.sample,
      sources: summary.sources,
      mode: summary.mode,
    };
  }
  // An old snapshot (or one gc is removing right now): counts from snapshot.json if it is still there.
  const record = await readSnapshotRecord(store, repo, id).catch(() => undefined);
  return {
    ...common,
    packages: record?.stats.packages ?? null,
    bytes: record?.stats.bytes ?? null,
    changes: null,
    sources: record?.sources.map((s) => s.url) ?? [],
    ...(record ? { mode: record.mode } : {}),
  };
}
