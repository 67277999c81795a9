import { join } from 'node:path';
import { OpenContentCache } from '@ovirt-repo/core';
import { diffPackages } from '../snapshot/diff-snapshots.js';
import { summaryOf } from '../snapshot/summarize-snapshot.js';
import type { SourceRepomd } from '../source/sources.js';
import { snapshotKey } from '../store/layout.js';
import { packageLine } from '../store/record-file.js';
import { listSnapshotIds } from '../store/repo-state.js';
import { nextSnapshotId } from '../store/snapshot-id.js';
import { contentDigestOf, type RecordHead } from '../store/snapshot-record.js';
import type { LatestSnapshot, SyncContext } from './context.js';
import { editedPackages, type Edits } from './edits.js';
import type { Incoming } from './read-incoming.js';
import { extraSummary, obtainExtra } from './read-incoming/extra-metadata.js';
import { isCandidate, snapshotPackageOf } from './shared/candidates.js';
import { metadataCacheDir } from './shared/local-dirs.js';
import type { WrittenSnapshot } from './shared/result.js';
import { settleAll } from './shared/settle-all.js';
import type { WorkArea } from './shared/work-area.js';
import { metadataItems } from './write-snapshot/metadata-items.js';
import { writeSnapshotFiles } from './write-snapshot/snapshot-files.js';
import { readSourceEntries } from './write-snapshot/source-entries.js';

/**
 * Stage 6, writeSnapshot: the new snapshot, staged in the store (seen by no reader until commit), as the
 * latest one with the edits made. Its snapshot.json is the latest one's package lines with the edited
 * groups replaced (the unchanged runs copied as bytes); its metadata the latest one's chunks that no edit
 * touches, copied, and the rest written anew from the entries of the latest snapshot and (for the
 * packages it lacks) of the sources; its summary.json the diff of the edited groups. Runs beside the
 * downloads, which it does not need.
 */
export function writeSnapshot(ctx: SyncContext, latest: LatestSnapshot, sources: readonly SourceRepomd[], incoming: Incoming, edits: Edits, area: WorkArea): Promise<WrittenSnapshot> {
  return ctx.timer.time('writeSnapshot', async () => {
    const { layout, repo, log } = ctx;
    const now = ctx.options.now ?? Date.now();
    const id = nextSnapshotId(await listSnapshotIds(layout, repo), now);
    area.staging = await layout.stage(snapshotKey(repo, id));
    const previous = incoming.latestMetadata;
    // The packages whose entries come from the sources: those the latest snapshot lacks, and all of them
    // when its metadata could not be read (pass 1 kept the records of just those, see readIncoming).
    const wanted = previous || !latest.record ? edits.list.flatMap((e) => e.after.filter(isCandidate)) : [...edits.fromSources.values()];
    const cache = ctx.compression === 'gz' ? new OpenContentCache(metadataCacheDir(layout, repo)) : undefined;
    const [entries, extras] = await settleAll([readSourceEntries(ctx, incoming, wanted, area), settleAll(incoming.extras.map((e) => obtainExtra(e, ctx.client, area.dir, ctx.options.maxMetadataSize)))]);
    const { lines, hrefs } = editedRecord(latest, edits);
    const { before, after, stats, added, removed } = editedPackages(latest, edits);
    const head = recordHead(ctx, latest, sources, { id, now, stats, modular: incoming.modular, extras: extras.map(extraSummary), hrefs });
    const diff = diffPackages(before, after);
    diff.unchanged += edits.count - after.length;
    const written = await writeSnapshotFiles({
      staged: area.staging,
      localDir: join(area.dir, 'snapshot'),
      packages: metadataItems(latest.record, edits.list, previous, entries, edits.fromSources),
      packageCount: edits.count,
      extras,
      compression: ctx.compression,
      ...(cache ? { cache } : {}),
      head,
      lines,
      summary: summaryOf(head, latest.id, diff),
      ...(ctx.signing ? { sign: ctx.signing } : {}),
    });
    log.info(`Wrote ${repo}/${id}: ${edits.count} packages${written.chunks ? `, ${written.chunks.reused} of ${written.chunks.total} metadata chunks copied from the latest snapshot` : ''}`);
    return {
      id,
      stats,
      changes: { added, removed },
      ...(written.chunks ? { metadataChunks: written.chunks } : {}),
      ...(written.signature ? { signature: written.signature } : {}),
      ...(cache ? { cache } : {}),
    };
  });
}

/**
 * The new record's package lines (runs of the latest record's between the edits, each edited group's
 * packages), and every href of it (for its contentDigest).
 */
function editedRecord(latest: LatestSnapshot, edits: Edits) {
  const record = latest.record;
  const lines: Array<string | Uint8Array> = [];
  const hrefs: string[] = [];
  const run = (from: number, to: number) => {
    if (!record || to <= from) return;
    lines.push(record.lines(from, to));
    for (let i = from; i < to; i++) hrefs.push(record.hrefAt(i));
  };
  let from = 0;
  for (const e of edits.list) {
    run(from, e.at);
    for (const p of e.after) {
      const q = snapshotPackageOf(p);
      lines.push(packageLine(q));
      hrefs.push(q.href);
    }
    from = e.end;
  }
  run(from, record?.length ?? 0);
  return { lines, hrefs };
}

/** snapshot.json's head but for what the metadata decides (repomdSha256 and its layout). */
function recordHead(
  ctx: SyncContext,
  latest: LatestSnapshot,
  sources: readonly SourceRepomd[],
  o: { id: string; now: number; stats: RecordHead['stats']; modular: boolean; extras: RecordHead['extraMetadata']; hrefs: readonly string[] },
): Omit<RecordHead, 'repomdSha256' | 'metadata'> {
  return {
    format: 1,
    repo: ctx.repo,
    id: o.id,
    createdAt: new Date(o.now).toISOString(),
    ...(latest.id ? { parent: latest.id } : {}),
    mode: ctx.mode,
    options: ctx.selection,
    optionsDigest: ctx.optDigest,
    sources: sources.map((s) => ({ url: s.spec.id, kind: s.spec.kind, baseUrl: s.location.display, repomdSha256: s.repomdSha256, ...(s.revision ? { revision: s.revision } : {}) })),
    contentDigest: contentDigestOf(o.hrefs, o.extras),
    extraMetadata: o.extras,
    modular: o.modular,
    stats: o.stats,
    ...(ctx.verify?.packages ? { gpgcheck: { keys: [...ctx.verify.keys.fingerprints].sort() } } : {}),
  };
}
