import type { ExtraRecord } from '@ovirt-repo/core';
import { extraSummary } from './extra-metadata.js';
import type { SnapshotPackage, SnapshotRecord } from '../store/snapshot-record.js';
import type { Candidate } from './candidates.js';
import type { LatestHead, SyncContext } from './context.js';
import type { SnapshotContent } from './select-content.js';
import type { SourceRepomd } from './sources.js';

/** What snapshot.json of the new snapshot says besides its packages and repomdSha256. */
export interface RecordHeadInput {
  latest: LatestHead;
  sources: readonly SourceRepomd[];
  extras: readonly ExtraRecord[];
  contentDigest: string;
  modular: boolean;
  stats: SnapshotRecord['stats'];
  id: string;
  now: number;
}

export function recordHeadFor(ctx: SyncContext, o: RecordHeadInput): Omit<SnapshotRecord, 'repomdSha256' | 'packages'> {
  return {
    format: 1,
    repo: ctx.repo,
    id: o.id,
    createdAt: new Date(o.now).toISOString(),
    ...(o.latest.id ? { parent: o.latest.id } : {}),
    mode: ctx.mode,
    options: ctx.selection,
    optionsDigest: ctx.optDigest,
    sources: o.sources.map((s) => ({ url: s.spec.id, kind: s.spec.kind, baseUrl: s.location.display, repomdSha256: s.repomdSha256, ...(s.revision ? { revision: s.revision } : {}) })),
    contentDigest: o.contentDigest,
    extraMetadata: o.extras.map(extraSummary),
    modular: o.modular,
    stats: o.stats,
  };
}

/** A selected package as snapshot.json records it. */
export function snapshotPackageOf(c: Candidate): SnapshotPackage {
  return { name: c.name, epoch: c.epoch, version: c.version, release: c.release, arch: c.arch, href: c.poolHref, checksumType: c.checksumType, digest: c.digest, size: c.size };
}

/** snapshot.json of the new snapshot, but for repomdSha256 (known once repomd.xml is written). */
export function snapshotRecordFor(
  ctx: SyncContext,
  latest: LatestHead,
  sources: readonly SourceRepomd[],
  content: SnapshotContent,
  extras: readonly ExtraRecord[],
  id: string,
  now: number,
): Omit<SnapshotRecord, 'repomdSha256'> {
  const packages = [...new Map(content.selected.map((c) => [c.poolHref, c])).values()].map(snapshotPackageOf);
  const stats = { packages: packages.length, bytes: packages.reduce((n, p) => n + p.size, 0) };
  return { ...recordHeadFor(ctx, { latest, sources, extras, contentDigest: content.digest, modular: content.modular, stats, id, now }), packages };
}
