import type { SnapshotPackage, SnapshotRecord } from '../store/snapshot-record.js';
import { CHANGE_KINDS, CHANGE_SAMPLE, type SnapshotSummaryRecord } from '../store/snapshot-summary.js';
import { diffPackages, type DiffEntry, type DiffResult } from './diff-snapshots.js';

/**
 * The summary written beside a new snapshot: its counts and how it differs from `base` (the latest snapshot
 * when it was made). Computed once, while both package lists are in memory anyway, so the status page
 * never diffs snapshots.
 */
export function summarizeSnapshot(
  record: Pick<SnapshotRecord, 'repo' | 'id' | 'createdAt' | 'mode' | 'stats' | 'packages' | 'sources'>,
  base: { id: string; packages: readonly SnapshotPackage[] } | undefined,
): SnapshotSummaryRecord {
  return summaryOf(record, base?.id, diffPackages(base?.packages ?? [], record.packages));
}

/** The summary of a snapshot that differs from snapshot `base` by `diff`. */
export function summaryOf(
  record: Pick<SnapshotRecord, 'repo' | 'id' | 'createdAt' | 'mode' | 'stats' | 'sources'>,
  base: string | undefined,
  diff: Omit<DiffResult, 'repo' | 'from' | 'to'>,
): SnapshotSummaryRecord {
  const line = (e: DiffEntry) => `${e.name}.${e.arch} ${e.from !== undefined && e.to !== undefined && e.from !== e.to ? `${e.from} -> ${e.to}` : (e.to ?? e.from ?? '')}`;
  const sample = Object.fromEntries(CHANGE_KINDS.map((k) => [k, diff[k].slice(0, CHANGE_SAMPLE).map(line)])) as SnapshotSummaryRecord['sample'];
  return {
    format: 1,
    repo: record.repo,
    id: record.id,
    createdAt: record.createdAt,
    mode: record.mode,
    packages: record.stats.packages,
    bytes: record.stats.bytes,
    ...(base ? { base } : {}),
    changes: {
      added: diff.added.length,
      removed: diff.removed.length,
      upgraded: diff.upgraded.length,
      downgraded: diff.downgraded.length,
      rebuilt: diff.rebuilt.length,
      unchanged: diff.unchanged,
    },
    sample,
    sources: record.sources.map((s) => s.url),
  };
}
