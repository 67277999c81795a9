import type { Logger, PublicKeySet, ReadClient, Repomd, Signer, StagedWriteCapable, Store } from '@ovirt-repo/core';
import type { RepomdCheck } from '../source/repomd-signature.js';
import type { SourceRepomd, SourceSpec } from '../source/sources.js';
import type { RecordText } from '../store/record-file.js';
import type { SelectionOptions, SyncMode } from '../store/snapshot-record.js';
import type { SyncOptions } from './options.js';
import type { StageTimer } from './shared/stage-timer.js';

/** What every stage of one sync of one repo shares (prepare.ts makes it). */
export interface SyncContext {
  /** The store; a sync writes a snapshot through its staged write (and reads and writes nothing else of it but by key). */
  layout: Store & StagedWriteCapable;
  repo: string;
  mode: SyncMode;
  selection: SelectionOptions;
  optDigest: string;
  specs: readonly SourceSpec[];
  workers: number;
  baseUrl: string;
  compression: 'gz' | 'xz' | 'zstd';
  checkPool: boolean;
  /** SyncOptions.dryRun: the pipeline stops after the edits and writes nothing (sync-repo.ts). */
  dryRun: boolean;
  client: ReadClient;
  log: Logger;
  options: SyncOptions;
  timer: StageTimer;
  /** The snapshot's signer, with the primary-key fingerprints of its public key; undefined: unsigned. */
  signing?: SnapshotSigning;
  /** --gpgcheck/--repo-gpgcheck (or gpgcheck=1/repo_gpgcheck=1): the keys, read once by prepare. */
  verify?: { keys: PublicKeySet; packages: boolean; repomd: boolean; env: NodeJS.ProcessEnv };
  /** --repo-gpgcheck: checks a source's repomd.xml against its repomd.xml.asc (source/repomd-signature.ts). */
  checkRepomd?: RepomdCheck;
  /** Commit attempts so far (commit.ts counts them; more than one when another writer committed first). */
  commitAttempts: number;
}

/** The repo's latest snapshot, if any: what the new one is compared with and built on. */
export interface LatestSnapshot {
  id?: string;
  /** Its snapshot.json; undefined for a new repo (or a latest without one, treated as new). */
  record?: RecordText;
}

/** A source with its repomd.xml in hand. */
export interface FetchedSource {
  source: SourceRepomd;
  repomd: Repomd;
}

export interface SnapshotSigning {
  signer: Signer;
  fingerprints: readonly string[];
  env: NodeJS.ProcessEnv;
}
