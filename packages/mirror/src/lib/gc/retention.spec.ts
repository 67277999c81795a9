import { decideRetention } from './retention.js';
import { formatSnapshotId } from '../store/snapshot-id.js';

const DAY = 86_400_000;
const now = Date.UTC(2026, 5, 30);
const ids = [40, 20, 10, 5, 1].map((d) => formatSnapshotId(now - d * DAY)); // oldest first
const removed = (d: ReturnType<typeof decideRetention>) => d.filter((x) => x.remove).map((x) => x.id);

describe('retention', () => {
  it('removes nothing without a policy', () => {
    expect(removed(decideRetention(ids, ids[4], new Set(), {}, now))).toEqual([]);
  });

  it('--max-age removes old snapshots but never latest or pinned ones', () => {
    const d = decideRetention(ids, ids[4], new Set([ids[1]!]), { maxAgeMs: 14 * DAY }, now);
    expect(removed(d)).toEqual([ids[0]]);
    expect(d.find((x) => x.id === ids[4])?.keptBecause).toBe('latest');
    expect(d.find((x) => x.id === ids[1])?.keptBecause).toBe('pinned');
    expect(d.find((x) => x.id === ids[2])?.keptBecause).toBe('young');
    // An old latest snapshot is never removed.
    expect(removed(decideRetention(ids.slice(0, 1), ids[0], new Set(), { maxAgeMs: DAY, keep: 0 }, now))).toEqual([]);
  });

  it('--keep N keeps the newest N', () => {
    expect(removed(decideRetention(ids, ids[4], new Set(), { keep: 2 }, now)).sort()).toEqual([ids[0], ids[1], ids[2]].sort());
  });

  it('with both, a snapshot goes only when outside the newest N and older than the age', () => {
    expect(removed(decideRetention(ids, ids[4], new Set(), { keep: 1, maxAgeMs: 7 * DAY }, now)).sort()).toEqual([ids[0], ids[1], ids[2]].sort());
    expect(removed(decideRetention(ids, ids[4], new Set(), { keep: 4, maxAgeMs: 7 * DAY }, now))).toEqual([ids[0]]);
  });

});
