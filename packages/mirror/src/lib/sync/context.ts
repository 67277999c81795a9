import { type Lock, type Logger, type ReadClient, type Repomd } from '@ovirt-repo/core';
import type { StoreLayout } from '../store/layout.js';
import type { SelectionOptions, SnapshotRecord, SyncMode } from '../store/snapshot-record.js';
import type { SourceRepomd, SourceSpec } from './sources.js';
import type { stageTimer } from './stage-timer.js';
import type { SyncOptions } from './options.js';

/** What every stage of one sync of one repo shares, under its writer lock. */
export interface SyncContext {
  layout: StoreLayout;
  repo: string;
  mode: SyncMode;
  selection: SelectionOptions;
  optDigest: string;
  specs: readonly SourceSpec[];
  workers: number;
  baseUrl: string;
  client: ReadClient;
  lock: Lock;
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
