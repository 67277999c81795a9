import type { Logger, NetworkSettings, SignOptions, Store } from '@ovirt-repo/core';
import type { OpenStoreOptions } from '../store/backends.js';
import type { SnapshotSignature, SyncMode } from '../store/snapshot-record.js';
import type { VerifySettings } from '../source/repo-config.js';
import type { SourceConfig } from '../source/sources.js';
import type { StageTimings } from './shared/stage-timer.js';

/** What `syncRepo` takes and returns: the types the pipeline's stages share with its callers. */
export interface SyncOptions {
  /** Store location (created on first use), or a store already open. */
  store: string | Store;
  /** The `s3:` keys of ovirt-repo.yaml (endpoint, region, profile), for an s3:// store location. */
  s3?: OpenStoreOptions['s3'];
  repo: string;
  /** Sources: http(s):// or file:// URLs or local paths of YUM repos. */
  from?: string[];
  /** Take baseurl/mirrorlist/metalink, includepkgs and exclude from a .repo/reposync config section. */
  config?: SourceConfig;
  mode?: SyncMode;
  arch?: string[];
  include?: string[];
  exclude?: string[];
  newestOnly?: boolean;
  keepVersions?: number;
  /** For the index and the result's URL; default the store's file:// URL. */
  baseUrl?: string;
  /** Parallel downloads (default: CPUs, at least 4). */
  workers?: number;
  compression?: 'gz' | 'xz' | 'zstd';
  /**
   * The most bytes a source's metadata file may hold where repomd.xml declares no size, and may
   * decompress to where it declares no open-size (or a larger one). Default core's DEFAULT_MAX_METADATA_SIZE.
   */
  maxMetadataSize?: number;
  /** How long to wait for another writer of this repo. Default 30 minutes. */
  lockTimeoutMs?: number;
  /** Locks of other hosts are stale after this long without heartbeat. */
  staleAfterMs?: number;
  /** Retries of transient network failures: `retries + 1` requests at most per file. Default 3. */
  retries?: number;
  /** Network idle timeout, and the window the minimum rate is measured over. Default 60 s. */
  timeoutMs?: number;
  /** A download slower than this many bytes per second over a whole `timeoutMs` fails (transient). Default 1000; 0: none. */
  minRate?: number;
  /** The whole time for finding a usable mirror of a mirrorlist, metalink or several baseurls. Default 2 minutes. */
  mirrorBudgetMs?: number;
  /**
   * Proxy and TLS for upstream fetches, given by the caller (flags): they beat a config section's proxy=,
   * sslcacert... which beat `networkDefaults` (ovirt-repo.yaml's `network:`). Unset everywhere: the
   * environment's http_proxy/https_proxy/no_proxy and the system's CAs.
   */
  network?: NetworkSettings;
  networkDefaults?: NetworkSettings;
  /**
   * Sign the new snapshot's repodata/repomd.xml (docs/trust.md, "Signing snapshots"): the signature is
   * verified against the public key before the snapshot is committed, and both are part of the snapshot.
   */
  sign?: Pick<SignOptions, 'key' | 'command' | 'publicKeyFile' | 'timeoutMs'>;
  /** The environment of gpg and the signer (GNUPGHOME); default process.env. */
  env?: NodeJS.ProcessEnv;
  /**
   * Signature checks of what the sync takes in (docs/trust.md), given by the caller (flags): each key beats
   * the config section's gpgcheck=, repo_gpgcheck=, gpgkey=, which beat `verifyDefaults` (ovirt-repo.yaml).
   */
  verify?: VerifySettings;
  verifyDefaults?: VerifySettings;
  /** Rewrite the store's index after publishing (default true). */
  writeIndex?: boolean;
  /**
   * Check the pool for every package of the new snapshot, not only those the latest one lacks, and fetch
   * again what is missing or damaged; done even when nothing changed (then no snapshot is made).
   */
  checkPool?: boolean;
  /**
   * Report what the sync would do and write nothing, in the store or anywhere else but a temporary work
   * directory (removed at the end): no lock is taken, the pipeline stops after working out the edits, and
   * the pool is only looked at to count what would be downloaded.
   */
  dryRun?: boolean;
  /**
   * The time the new snapshot is made at (its id and createdAt); default now. For building a store with a
   * history (tests of retention, imports); ids still only grow (see nextSnapshotId).
   */
  now?: number;
  logger?: Logger;
}

export interface SyncSourceResult {
  source: string;
  baseUrl: string;
  repomdSha256: string;
  revision?: string;
}

/** The package files a snapshot has that the one before it lacked, and the other way round, as sorted NEVRAs. */
export interface PackageChanges {
  added: string[];
  removed: string[];
}

export interface SyncResult {
  repo: string;
  /** A dry run: nothing was written; `changed` says whether a snapshot would be made, the counts what it would hold. */
  dryRun: boolean;
  /** The new snapshot, or the unchanged latest one; null when a dry run would make one (its id is not known before). */
  snapshot: string | null;
  url: string | null;
  /** A new snapshot was made (a dry run: would be made). */
  changed: boolean;
  /** Why no snapshot was made, when changed is false. */
  reason?: string;
  previous: string | null;
  mode: SyncMode;
  /** Packages in the new snapshot that the previous latest did not have, and the other way round. */
  added: number;
  removed: number;
  /** Those packages by NEVRA (a rebuild of the same NEVRA is in both). */
  changes: PackageChanges;
  packages: number;
  bytes: number;
  /** Packages fetched into the pool (a dry run: that would be fetched, the pool lacking them or holding them damaged). */
  downloaded: { count: number; bytes: number };
  /**
   * The new snapshot's gz metadata is written in chunks of packages; `reused` of them were copied from
   * the previous snapshot. Absent when no snapshot was made or the metadata is not gz.
   */
  metadataChunks?: { total: number; reused: number };
  /** The snapshot's signature: the fingerprint of the key that signed its repomd.xml; absent when unsigned. */
  signature?: SnapshotSignature;
  sources: SyncSourceResult[];
  indexWritten: boolean;
  /**
   * Snapshots this sync tried to commit: 0 when it made none, 1 when its first was committed, more when
   * another writer committed on the same latest snapshot first and this one built again on the new head.
   */
  commitAttempts: number;
  /** Milliseconds per pipeline stage (for benchmarks and --verbose). */
  timings: StageTimings;
  durationMs: number;
}

