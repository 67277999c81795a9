// Store layout and names
export * from './lib/store/layout.js';
export * from './lib/store/names.js';
export { openStore, STORE_FORMAT, STORE_VERSION, type StoreMarker } from './lib/store/store.js';
export { formatSnapshotId, parseSnapshotId, nextSnapshotId } from './lib/store/snapshot-id.js';
export * from './lib/store/snapshot-record.js';
export * from './lib/store/snapshot-summary.js';
export { readLatest, listSnapshotIds, listRepos, requireRepo, requireSnapshot } from './lib/store/repo-state.js';
export { openStoreBackend } from './lib/store/backends.js';
export { LocalStore, openLocalStore } from './lib/store/local/local-store.js';
export { readPins, writePin, removePin, type Pin } from './lib/store/pins.js';
// Locks (generic; candidates to move to core)
export * from './lib/lock/store-locks.js';
export { registerPoolUser, readPoolUsers, type PoolRegistration, type PoolUsers, type RegisterOptions } from './lib/lock/pool-guard.js';
// Index
export { renderIndex, INDEX_FORMATS, DEFAULT_INDEX_VARIABLE, type IndexFormat, type IndexEntries } from './lib/index/formats.js';
export { writeIndex, indexedUrl, type WriteIndexOptions, type WriteIndexResult } from './lib/index/write-index.js';
// Package selection
export { makeFilter, packageSpellings, type FilterOptions, type Nevra } from './lib/select/filters.js';
export { globToRegExp, splitList } from './lib/select/glob.js';
export { selectPackages, keepNewest, type SelectInput, type SelectResult } from './lib/select/select-packages.js';
// Sync pipeline
export { syncRepo } from './lib/sync/sync-repo.js';
export type { SyncOptions, SyncResult, SyncSourceResult } from './lib/sync/options.js';
export { resolveSourceSpecs, fetchSourceRepomds, type SourceSpec, type SourceConfig, type SourceRepomd } from './lib/source/sources.js';
export type { Candidate } from './lib/sync/shared/candidates.js';
export { writePoolFile, poolEntryState, flushPool, type ExpectedFile } from './lib/store/pool.js';
// Sources
export { parseLocation, resolveHref, type RepoLocation } from './lib/source/location.js';
export { parseRepoConfig, readRepoSection, substituteVars, type RepoSection } from './lib/source/repo-config.js';
export { parseMirrorlist, parseMetalink, type Metalink } from './lib/source/mirror-list.js';
// Lifecycle
export { listSnapshots, type ListSnapshotsResult, type SnapshotSummary } from './lib/snapshot/list-snapshots.js';
export { showSnapshot, resolveSnapshotId, type ShowSnapshotResult } from './lib/snapshot/show-snapshot.js';
export { diffSnapshots, diffPackages, type DiffResult, type DiffEntry } from './lib/snapshot/diff-snapshots.js';
export { verifySnapshot, type VerifySnapshotResult, type VerifySnapshotOptions, type VerifyProblem } from './lib/snapshot/verify-snapshot.js';
export { pinSnapshot, unpinSnapshot, type PinResult, type PinOptions } from './lib/snapshot/pin-snapshot.js';
export {
  pinFromLock,
  unpinFromLock,
  matchLockEntries,
  type PinFromLockResult,
  type UnpinFromLockResult,
  type LockSnapshot,
  type SkippedLockEntry,
  type FromLockOptions,
} from './lib/snapshot/pin-from-lock.js';
export { summarizeSnapshot } from './lib/snapshot/summarize-snapshot.js';
export { listRepoSummaries, type ListReposResult, type RepoSummary, type PendingSummary } from './lib/repo/list-repos.js';
export { deleteRepo, type DeleteRepoOptions, type DeleteRepoResult } from './lib/repo/delete-repo.js';
export { readPending, listPending, type PendingOperation } from './lib/store/pending.js';
export { renameRepo, type RenameRepoResult } from './lib/repo/rename-repo.js';
export { promoteSnapshot, type PromoteOptions, type PromoteResult } from './lib/snapshot/promote-snapshot.js';
export { runGc, type GcOptions, type GcResult, type GcSnapshotResult } from './lib/gc/run-gc.js';
export { decideRetention, type RetentionPolicy } from './lib/gc/retention.js';
export { collectReferences, type PoolReferences } from './lib/gc/references.js';
// Status pages
export { collectStatus, type StoreStatus, type StatusRepo, type StatusSnapshot } from './lib/status/collect-status.js';
export { renderStorePage, renderRepoPage, escapeHtml, STORE_PAGE_HISTORY } from './lib/status/render-status.js';
export { writeStatusPages, refreshStatusPages, type StatusPagesResult } from './lib/status/write-status.js';
export { humanBytes } from '@ovirt-repo/core';
// Serve
export { startStoreServer, type ServeOptions, type StoreServer } from './lib/serve/static-server.js';
export { syncAllRepos, type SyncAllResult } from './lib/sync/sync-all.js';
export { syncOptionsFor, type SyncOverrides } from './lib/sync/config-options.js';
export { storeContext, openExistingStore, type StoreContext, type StoreFlags } from './lib/cli/store-context.js';
export type { StageTimings, SyncStage } from './lib/sync/shared/stage-timer.js';
export { retentionFromConfig, cleanRepoLeftovers } from './lib/gc/run-gc.js';
