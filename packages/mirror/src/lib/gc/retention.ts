import { parseSnapshotId } from '../store/snapshot-id.js';

export interface RetentionPolicy {
  /** Snapshots older than this (by their id's time) may go. */
  maxAgeMs?: number;
  /** The newest N snapshots always stay. */
  keep?: number;
}

/** Why gc keeps a snapshot; `unrecorded`: no history record names it yet, and it is younger than gc's grace period. */
export type KeepReason = 'latest' | 'pinned' | 'newest' | 'young' | 'no-policy' | 'unrecorded';

export interface RetentionDecision {
  id: string;
  remove: boolean;
  /** Why it stays (undefined when removed). */
  keptBecause?: KeepReason;
}

/**
 * Which snapshots of one repo to remove. The latest and pinned snapshots always stay. With both --keep and
 * --max-age a snapshot goes only when it is outside the newest N *and* older than the age; with one of
 * them, that one decides; with neither, nothing is removed (gc then only cleans the pool).
 */
export function decideRetention(ids: readonly string[], latest: string | undefined, pinned: ReadonlySet<string>, policy: RetentionPolicy, now = Date.now()): RetentionDecision[] {
  const newestFirst = [...ids].sort().reverse();
  const hasPolicy = policy.maxAgeMs !== undefined || policy.keep !== undefined;
  return newestFirst.map((id, i): RetentionDecision => {
    if (id === latest) return { id, remove: false, keptBecause: 'latest' };
    if (pinned.has(id)) return { id, remove: false, keptBecause: 'pinned' };
    if (!hasPolicy) return { id, remove: false, keptBecause: 'no-policy' };
    if (policy.keep !== undefined && i < policy.keep) return { id, remove: false, keptBecause: 'newest' };
    if (policy.maxAgeMs !== undefined) {
      const t = parseSnapshotId(id) ?? now;
      if (now - t <= policy.maxAgeMs) return { id, remove: false, keptBecause: 'young' };
    }
    return { id, remove: true };
  });
}
