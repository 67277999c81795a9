import { snapshotUrl } from '../store/layout.js';
import type { SnapshotPackage } from '../store/snapshot-record.js';
import type { WrittenSnapshot } from './write-snapshot-metadata.js';
import type { LatestHead, LatestSnapshot, SyncContext } from './context.js';
import type { DownloadResult } from './download-to-pool.js';
import type { SourceRepomd } from './sources.js';
import type { SyncResult, SyncSourceResult } from './options.js';

function sourceResults(sources: readonly SourceRepomd[]): SyncSourceResult[] {
  return sources.map((s) => ({ source: s.spec.id, baseUrl: s.location.display, repomdSha256: s.repomdSha256, ...(s.revision ? { revision: s.revision } : {}) }));
}

/** The result of a sync that made no snapshot: the latest one stays. */
export function unchangedResult(ctx: SyncContext, latest: LatestHead, sources: readonly SourceRepomd[], reason: string): SyncResult {
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

/** Packages of `after` that `before` lacked, and the other way round (each lists a pool href once). */
export function countChanges(before: readonly Pick<SnapshotPackage, 'href'>[], after: readonly Pick<SnapshotPackage, 'href'>[]): { added: number; removed: number } {
  const had = new Set(before.map((p) => p.href));
  let kept = 0;
  for (const p of after) if (had.has(p.href)) kept++;
  return { added: after.length - kept, removed: had.size - kept };
}

/** The result of a sync that published `written`. */
export function changedResult(
  ctx: SyncContext,
  latest: Pick<LatestSnapshot, 'id'>,
  sources: readonly SourceRepomd[],
  written: WrittenSnapshot,
  downloaded: DownloadResult,
  change: { added: number; removed: number },
): SyncResult {
  return {
    repo: ctx.repo,
    snapshot: written.id,
    url: snapshotUrl(ctx.baseUrl, ctx.repo, written.id),
    changed: true,
    previous: latest.id ?? null,
    mode: ctx.mode,
    added: change.added,
    removed: change.removed,
    packages: written.stats.packages,
    bytes: written.stats.bytes,
    downloaded,
    ...(written.metadataChunks ? { metadataChunks: written.metadataChunks } : {}),
    sources: sourceResults(sources),
    indexWritten: false,
    timings: ctx.timer.timings,
    durationMs: 0,
  };
}
