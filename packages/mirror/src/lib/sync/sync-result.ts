import { snapshotUrl } from '../store/layout.js';
import type { WrittenSnapshot } from './write-snapshot-metadata.js';
import type { LatestSnapshot, SyncContext } from './context.js';
import type { DownloadResult } from './download-to-pool.js';
import type { SourceRepomd } from './sources.js';
import type { SyncResult, SyncSourceResult } from './sync-repo.js';

function sourceResults(sources: readonly SourceRepomd[]): SyncSourceResult[] {
  return sources.map((s) => ({ source: s.spec.id, baseUrl: s.location.display, repomdSha256: s.repomdSha256, ...(s.revision ? { revision: s.revision } : {}) }));
}

/** The result of a sync that made no snapshot: the latest one stays. */
export function unchangedResult(ctx: SyncContext, latest: LatestSnapshot, sources: readonly SourceRepomd[], reason: string): SyncResult {
  return {
    repo: ctx.repo,
    snapshot: latest.id ?? null,
    url: latest.id ? snapshotUrl(ctx.baseUrl, ctx.repo, latest.id) : null,
    changed: false,
    reason,
    previous: latest.id ?? null,
    mode: ctx.mode,
    added: 0,
    removed: 0,
    packages: latest.record?.stats.packages ?? 0,
    bytes: latest.record?.stats.bytes ?? 0,
    downloaded: { count: 0, bytes: 0 },
    sources: sourceResults(sources),
    indexWritten: false,
    timings: ctx.timer.timings,
    durationMs: 0,
  };
}

/** The result of a sync that published `written`. */
export function changedResult(ctx: SyncContext, latest: LatestSnapshot, sources: readonly SourceRepomd[], written: WrittenSnapshot, downloaded: DownloadResult): SyncResult {
  const { record } = written;
  // record.packages holds each pool href once, so one set tells both counts.
  const before = new Set(latest.record?.packages.map((p) => p.href) ?? []);
  let kept = 0;
  for (const p of record.packages) if (before.has(p.href)) kept++;
  return {
    repo: ctx.repo,
    snapshot: record.id,
    url: snapshotUrl(ctx.baseUrl, ctx.repo, record.id),
    changed: true,
    previous: latest.id ?? null,
    mode: ctx.mode,
    added: record.packages.length - kept,
    removed: before.size - kept,
    packages: record.stats.packages,
    bytes: record.stats.bytes,
    downloaded,
    ...(written.metadataChunks ? { metadataChunks: written.metadataChunks } : {}),
    sources: sourceResults(sources),
    indexWritten: false,
    timings: ctx.timer.timings,
    durationMs: 0,
  };
}
