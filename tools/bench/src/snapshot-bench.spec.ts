import { stageSummary } from './snapshot-bench.js';

describe('stageSummary', () => {
  it('lists the four slowest stages by their median over the runs', () => {
    const runs: Array<Record<string, number>> = [
      { lock: 2, selectPackages: 100, writeSnapshotMetadata: 900, planDownloads: 50, writeIndex: 10 },
      { lock: 3, selectPackages: 120, writeSnapshotMetadata: 1100, planDownloads: 70, writeIndex: 12 },
      { lock: 1, selectPackages: 110, writeSnapshotMetadata: 1000, planDownloads: 60 },
    ];
    expect(stageSummary(runs)).toBe('writeSnapshotMetadata 1000 ms, selectPackages 110 ms, planDownloads 60 ms, writeIndex 10 ms');
  });
});
