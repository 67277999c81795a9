import type { SnapshotPackage, SnapshotRecord } from './snapshot-record.js';

/** A snapshot record of these packages and sources, every other field fixed. */
export function sampleSnapshotRecord(packages: SnapshotPackage[], sources: SnapshotRecord['sources']): SnapshotRecord {
  return {
    format: 1,
    repo: 'exp',
    id: '20261204T000000.000Z',
    createdAt: '2026-12-04T00:00:00.000Z',
    mode: 'additive',
    options: {},
    optionsDigest: 'd',
    sources,
    repomdSha256: 'm',
    contentDigest: 'c',
    extraMetadata: [],
    modular: false,
    stats: { packages: packages.length, bytes: 0 },
    packages,
  };
}
