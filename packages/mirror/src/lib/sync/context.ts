import { type Logger, type ReadClient, type Repomd, type Store, type StoreLock } from '@ovirt-repo/core';
import type { SelectionOptions, SnapshotRecord, SyncMode } from '../store/snapshot-record.js';
import type { SourceRepomd, SourceSpec } from './sources.js';
import type { stageTimer } from './stage-timer.js';
import type { SyncOptions } from './sync-repo.js';

/** What every stage of one sync of one repo shares, under its writer lock. */
export interface SyncContext {
  layout: Store;
  repo: string;
  mode: SyncMode;
  selection: SelectionOptions;
  optDigest: string;
  specs: readonly SourceSpec[];
  workers: number;
  baseUrl: string;
  client: ReadClient;
  lock: StoreLock;
  log: Logger;
  options: SyncOptions;
  timer: ReturnType<typeof stageTimer>;
}

/** The repo's latest snapshot without its package list: what stages that need no packages take. */
export interface LatestHead {
  id?: string;
  record?: Omit<SnapshotRecord, 'packages'>;
}

/** The repo's latest snapshot, if any: what the new one is compared with and builds on. */
export interface LatestSnapshot extends LatestHead {
  id?: string;
  /** Its snapshot.json; undefined for a new repo (or a latest without one, treated as new). */
  record?: SnapshotRecord;
}

/** A source with its repomd.xml in hand. */
export interface FetchedSource {
  source: SourceRepomd;
  repomd: Repomd;
}
