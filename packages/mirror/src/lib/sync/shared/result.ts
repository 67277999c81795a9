import type { OpenContentCache } from '@ovirt-repo/core';
import type { SourceRepomd } from '../../source/sources.js';
import { snapshotUrl } from '../../store/layout.js';
import type { SnapshotSignature } from '../../store/snapshot-record.js';
import type { LatestSnapshot, SyncContext } from '../context.js';
import type { EditedPackages } from '../edits.js';
import type { PackageChanges, SyncResult, SyncSourceResult } from '../options.js';

/** What the download stage fetched into the pool. */
export interface DownloadResult {
  count: number;
  bytes: number;
}

/** A snapshot written under its temp name (write-snapshot.ts), to publish. */
export interface WrittenSnapshot {
  id: string;
  stats: { packages: number; bytes: number };
  /** Package files it has that the latest snapshot lacked, and the other way round (their NEVRAs). */
  changes: PackageChanges;
  /** gz metadata only: its chunks, and how many were copied from the latest snapshot's. */
  metadataChunks?: { total: number; reused: number };
  /** Present when it is signed. */
  signature?: SnapshotSignature;
  /** The metadata cache the write used: once the snapshot is published, only what it used is kept. */
  cache?: OpenContentCache;
}

function sourceResults(sources: readonly SourceRepomd[]): SyncSourceResult[] {
  return sources.map((s) => ({ source: s.spec.id, baseUrl: s.location.display, repomdSha256: s.repomdSha256, ...(s.revision ? { revision: s.revision } : {}) }));
}

/** The result of a sync that made no snapshot: the latest one stays. */
export function unchanged(ctx: SyncContext, latest: LatestSnapshot, sources: readonly SourceRepomd[], reason: string, downloaded: DownloadResult = { count: 0, bytes: 0 }): SyncResult {
  ctx.log.info(`${ctx.repo}: ${reason}${latest.id ? ` (latest is ${latest.id})` : ''}`);
  const stats = latest.record?.head.stats;
  return {
    repo: ctx.repo,
    dryRun: ctx.dryRun,
    snapshot: latest.id ?? null,
    url: latest.id ? snapshotUrl(ctx.baseUrl, ctx.repo, latest.id) : null,
    changed: false,
    reason,
    previous: latest.id ?? null,
    mode: ctx.mode,
    added: 0,
    removed: 0,
    changes: { added: [], removed: [] },
    packages: stats?.packages ?? 0,
    bytes: stats?.bytes ?? 0,
    downloaded,
    ...(latest.record?.head.signature ? { signature: latest.record.head.signature } : {}),
    sources: sourceResults(sources),
    indexWritten: false,
    commitAttempts: ctx.commitAttempts,
    timings: ctx.timer.timings,
    durationMs: 0,
  };
}

/** The result of a --check-pool sync with nothing new: the pool is made whole for the latest snapshot, which stays. */
export function repaired(ctx: SyncContext, latest: LatestSnapshot, sources: readonly SourceRepomd[], downloaded: DownloadResult): SyncResult {
  const fetched = ctx.dryRun ? 'would be fetched again' : 'fetched again';
  const what = downloaded.count ? `${downloaded.count} missing or damaged pool files ${fetched}` : 'the pool holds every package';
  return unchanged(ctx, latest, sources, `same packages and metadata as the latest snapshot; ${what}`, downloaded);
}

/** The result of a sync that published `written`. */
export function changed(ctx: SyncContext, latest: LatestSnapshot, sources: readonly SourceRepomd[], written: WrittenSnapshot, downloaded: DownloadResult): SyncResult {
  return {
    repo: ctx.repo,
    dryRun: false,
    snapshot: written.id,
    url: snapshotUrl(ctx.baseUrl, ctx.repo, written.id),
    changed: true,
    previous: latest.id ?? null,
    mode: ctx.mode,
    added: written.changes.added.length,
    removed: written.changes.removed.length,
    changes: written.changes,
    packages: written.stats.packages,
    bytes: written.stats.bytes,
    downloaded,
    ...(written.metadataChunks ? { metadataChunks: written.metadataChunks } : {}),
    ...(written.signature ? { signature: written.signature } : {}),
    sources: sourceResults(sources),
    indexWritten: false,
    commitAttempts: ctx.commitAttempts,
    timings: ctx.timer.timings,
    durationMs: 0,
  };
}

/** The result of a dry run that would make a snapshot: what it would hold and what would be fetched for it. */
export function wouldChange(ctx: SyncContext, latest: LatestSnapshot, sources: readonly SourceRepomd[], edited: EditedPackages, downloaded: DownloadResult): SyncResult {
  return {
    repo: ctx.repo,
    dryRun: true,
    snapshot: null,
    url: null,
    changed: true,
    previous: latest.id ?? null,
    mode: ctx.mode,
    added: edited.added.length,
    removed: edited.removed.length,
    changes: { added: edited.added, removed: edited.removed },
    packages: edited.stats.packages,
    bytes: edited.stats.bytes,
    downloaded,
    sources: sourceResults(sources),
    indexWritten: false,
    commitAttempts: 0,
    timings: ctx.timer.timings,
    durationMs: 0,
  };
}
