import type { ExtraRecord } from '@ovirt-repo/core';
import { extraSummary } from './metadata-files.js';
import type { SnapshotPackage, SnapshotRecord } from '../store/snapshot-record.js';
import type { LatestSnapshot, SyncContext } from './context.js';
import type { SnapshotContent } from './select-content.js';
import type { SourceRepomd } from './sources.js';

/** snapshot.json of the new snapshot, but for repomdSha256 (known once repomd.xml is written). */
export function snapshotRecordFor(
  ctx: SyncContext,
  latest: LatestSnapshot,
  sources: readonly SourceRepomd[],
  content: SnapshotContent,
  extras: readonly ExtraRecord[],
  id: string,
  now: number,
): Omit<SnapshotRecord, 'repomdSha256'> {
  const packages: SnapshotPackage[] = [...new Map(content.selected.map((c) => [c.poolHref, c])).values()].map((c) => ({
    name: c.name,
    epoch: c.epoch,
    version: c.version,
    release: c.release,
    arch: c.arch,
    href: c.poolHref,
    checksumType: c.checksumType,
    digest: c.digest,
    size: c.size,
  }));
  return {
    format: 1,
    repo: ctx.repo,
    id,
    createdAt: new Date(now).toISOString(),
    ...(latest.id ? { parent: latest.id } : {}),
    mode: ctx.mode,
    options: ctx.selection,
    optionsDigest: ctx.optDigest,
    sources: sources.map((s) => ({ url: s.spec.id, kind: s.spec.kind, baseUrl: s.location.display, repomdSha256: s.repomdSha256, ...(s.revision ? { revision: s.revision } : {}) })),
    contentDigest: content.digest,
    extraMetadata: extras.map(extraSummary),
    modular: content.modular,
    stats: { packages: packages.length, bytes: packages.reduce((n, p) => n + p.size, 0) },
    packages,
  };
}
