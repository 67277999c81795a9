import { digestOfPieces, editSortedLines, openChunkedMetadata, sortedLinesText, tempPathFor, type FileRange, type OpenHashThread } from '@ovirt-repo/core';
import { registerPoolUser } from '../lock/pool-guard.js';
import { diffPackages } from '../snapshot/diff-snapshots.js';
import { summaryOf } from '../snapshot/summarize-snapshot.js';
import { snapshotDir } from '../store/layout.js';
import { readMetadataChunks } from '../store/metadata-chunks.js';
import { readRecordCache, sortedTextOf, writeRecordCache, type CachedRecord } from '../store/record-cache.js';
import { packageLine, recordBodyStarts } from '../store/record-file.js';
import { RecordLines } from '../store/record-lines.js';
import { listSnapshotIds, readLatest } from '../store/repo-state.js';
import { nextSnapshotId } from '../store/snapshot-id.js';
import { CONTENT_PREFIX, contentTrailer, type SnapshotPackage } from '../store/snapshot-record.js';
import { hrefOf, isCandidate, type Candidate } from './candidates.js';
import type { LatestHead, SyncContext } from './context.js';
import { downloadToPool } from './download-to-pool.js';
import { fetchSourceMetadata, sourcesUnchanged } from './fetch-source-metadata.js';
import { gatherMetadata } from './gather-metadata.js';
import { incrementalMetadata } from './incremental-metadata.js';
import { joinSelectedPackages } from './join-packages.js';
import { planDownloads } from './plan-downloads.js';
import { publishSnapshot } from './publish-snapshot.js';
import { extraDigestItems, readIncoming } from './select-content.js';
import { applyEdits, editSelection, selectIncoming, type SelectionEdit } from './select-packages.js';
import { settleAll } from './settle-all.js';
import { recordHeadFor, snapshotPackageOf } from './snapshot-record-for.js';
import { changedResult, unchangedResult } from './sync-result.js';
import type { SyncResult } from './sync-repo.js';
import { pauseForTest } from './test-hooks.js';
import { WorkArea } from './work-area.js';
import { writeSnapshotMetadata } from './write-snapshot-metadata.js';

type Edit = SelectionEdit<SnapshotPackage, Candidate>;
/** An edited group's package as the new record lists it. */
const recorded = (p: SnapshotPackage | Candidate): SnapshotPackage => (isCandidate(p) ? snapshotPackageOf(p) : p);

/**
 * The deploy-to-experimental case, done in proportion to what changed: an additive sync onto a latest
 * snapshot made with the same options, whose snapshot.json has one package a line (record-file.ts). Its
 * packages stay lines of text; only the name.arch groups the sources' packages fall into are parsed and
 * selected again (editSelection); the new snapshot.json is the old lines with those groups replaced, its
 * metadata the old chunks with the changed ones rewritten, its summary the diff of those groups.
 *
 * Same result as the general pipeline in sync-repo.ts (a test compares both). Undefined whenever it does
 * not apply (another mode or compression, --check-pool, other options or a modular repo, a record or chunk
 * index in another layout): the caller then runs the general pipeline, which reads everything.
 */
export async function syncIncrementally(ctx: SyncContext, hashThread: OpenHashThread | undefined): Promise<SyncResult | undefined> {
  const { layout, repo, options } = ctx;
  if (ctx.mode !== 'additive' || (options.compression ?? 'gz') !== 'gz' || options.checkPool || options.incremental === false) return undefined;
  const id = await readLatest(layout, repo);
  if (!id) return undefined;
  const dir = snapshotDir(layout, repo, id);
  const cached = readRecordCache(layout, repo, id);
  const lines = await RecordLines.open(dir, cached.starts);
  if (!lines) return undefined;
  try {
    return await syncFromRecord(ctx, hashThread, { id, dir, cached, lines });
  } finally {
    // After the new snapshot is written: its record copied runs of this one's file.
    lines.close();
  }
}

async function syncFromRecord(
  ctx: SyncContext,
  hashThread: OpenHashThread | undefined,
  { id, dir, cached, lines }: { id: string; dir: string; cached: CachedRecord; lines: RecordLines },
): Promise<SyncResult | undefined> {
  const { layout, repo, log, timer, options } = ctx;
  if (lines.head.optionsDigest !== ctx.optDigest || lines.head.modular) return undefined;
  // A damaged or missing chunk index is the general pipeline's to report (it warns, and reads the files).
  const index = await readMetadataChunks(dir, lines).catch(() => undefined);
  if (!index) return undefined;
  const latest: LatestHead = { id, record: lines.head };

  timer.start('fetchSourceMetadata');
  const sources = await fetchSourceMetadata(ctx, latest);
  if (sourcesUnchanged(ctx, latest, sources)) {
    log.info(`${repo}: sources unchanged since snapshot ${id}`);
    return unchangedResult(ctx, latest, sources, 'sources unchanged');
  }

  const area = new WorkArea(layout, repo);
  try {
    timer.start('selectPackages');
    const { incoming, ...read } = await readIncoming(ctx, latest, sources, area.dir);
    if (read.modular || !read.latestRepomd) return undefined;
    const picked = selectIncoming(incoming, ctx.selection, false);
    const { edits, pruned } = editSelection(lines, picked.fresh, ctx.selection.keepVersions ?? 1);
    const extraItems = extraDigestItems(read.extraChoices);
    if (edits.every(sameFiles) && sameExtras(extraItems, lines.head.extraMetadata)) {
      log.info(`${repo}: same packages and metadata as snapshot ${id}; no new snapshot`);
      return unchangedResult(ctx, latest, sources, 'same packages and metadata as the latest snapshot');
    }
    const count = edits.reduce((n, e) => n + e.after.length - (e.end - e.at), lines.length);
    log.info(`Selected ${count} packages (${picked.filteredOut} filtered out, ${picked.pruned + pruned} older versions dropped)`);
    log.info(`${repo}: adding to snapshot ${id} incrementally (${edits.length} name.arch groups to select again)`);

    timer.start('planDownloads');
    const fresh = edits.flatMap((e) => e.after.filter(isCandidate));
    const had = new Set(edits.flatMap((e) => e.before.map((p) => p.href)));
    const newcomers = fresh.filter((c) => !had.has(c.poolHref));
    // Announced to gc before the pool is looked at (see pool-guard.ts); the rest is in the latest snapshot.
    area.registration = await registerPoolUser(layout, newcomers.map((c) => c.digest), { purpose: `mirror sync of ${repo}`, logger: log, staleAfterMs: options.staleAfterMs });
    const plan = await planDownloads(layout, newcomers);

    timer.start('downloadToPool');
    const latestSorted = sortedTextOf(cached, lines.head);
    const sorted = sortedHrefsText(lines, edits, latestSorted);
    log.debug(`${repo}: record cache: ${lines.knownStarts ? 'line starts used' : 'record scanned'}, ${latestSorted ? 'sorted hrefs edited' : 'hrefs sorted'}`);
    const content = { ...read, previous: undefined, selected: fresh };
    const [downloaded, metadata] = await settleAll([downloadToPool(layout, plan, ctx.client, ctx.workers, log), gatherMetadata(ctx, content, area.dir)]);
    await pauseForTest('after-download');

    timer.start('writeSnapshotMetadata');
    const pieces = recordPieces(lines, edits);
    // The latest snapshot's files, as the metadata thread read and verified them for itself (see
    // preloadedFile); what does not need them is done while the thread may still be at it.
    const opening = openChunkedMetadata(dir, read.latestRepomd, index, { verified: async (sha256) => hashThread?.preloadedFile(sha256) }).catch(() => undefined);
    const now = options.now ?? Date.now();
    const newId = nextSnapshotId(await listSnapshotIds(layout, repo), now);
    const before = edits.flatMap((e) => e.before);
    const after = edits.flatMap((e) => e.after.map(recorded));
    const stats = { packages: count, bytes: lines.head.stats.bytes - sizeOf(before) + sizeOf(after) };
    const head = recordHeadFor(ctx, { latest, sources, extras: metadata.extras, contentDigest: digestOfPieces(sorted, contentTrailer(extraItems)), modular: false, stats, id: newId, now });
    const diff = diffPackages(before, after);
    diff.unchanged += count - after.length;
    const chunks = await opening;
    // Files that do not match their index: the general pipeline reports it, and reads them whole.
    if (!chunks || chunks.packages !== lines.length) return undefined;
    const written = incrementalMetadata(lines, edits, index, chunks, (inLatest) => joinSelectedPackages(metadata.inputs, fresh, inLatest));
    const staging = (area.staging = tempPathFor(snapshotDir(layout, repo, newId)));
    // For a large repo's next deploy (one that has a metadata thread): see record-cache.ts.
    const cacheWritten = hashThread && writeRecordCache(layout, repo, newId, recordBodyStarts(pieces), sorted);
    const snapshot = await writeSnapshotMetadata({
      stagingDir: staging,
      packages: written.packages,
      packageCount: count,
      extras: metadata.extras,
      compression: 'gz',
      reuse: written.reuse,
      ...(hashThread ? { hashThread } : {}),
      record: { head, lines: pieces.map((p) => p.piece), places: written.places },
      summary: summaryOf(head, id, diff),
    }).finally(() => cacheWritten);

    timer.start('publishSnapshot');
    await publishSnapshot(layout, repo, newId, staging, ctx.lock, id);
    timer.end();
    area.staging = undefined;
    log.info(`Published ${repo}/${newId}: ${snapshot.stats.packages} packages`);
    const afterHrefs = new Set(after.map((p) => p.href));
    return changedResult(ctx, latest, sources, snapshot, downloaded, {
      added: after.filter((p) => !had.has(p.href)).length,
      removed: before.filter((p) => !afterHrefs.has(p.href)).length,
    });
  } finally {
    await area.release();
  }
}

/** A group whose files are the same before and after (a rebuild replaced by the very same file). */
function sameFiles(e: Edit): boolean {
  if (e.before.length !== e.after.length) return false;
  const before = new Set(e.before.map((p) => p.href));
  return e.after.every((p) => before.has(hrefOf(p)));
}

function sameExtras(a: ReadonlyArray<{ type: string; checksum: string }>, b: ReadonlyArray<{ type: string; checksum: string }>): boolean {
  const key = (list: ReadonlyArray<{ type: string; checksum: string }>) => list.map((e) => `${e.type} ${e.checksum}`).sort().join('\n');
  return a.length === b.length && key(a) === key(b);
}

const sizeOf = (list: readonly SnapshotPackage[]) => list.reduce((n, p) => n + p.size, 0);

/** The new record's packages: runs of the latest record's lines between the edits, and the edited groups. */
function recordPieces(lines: RecordLines, edits: readonly Edit[]): Array<{ piece: Uint8Array | FileRange; length: number; starts: ArrayLike<number> }> {
  const out: Array<{ piece: Uint8Array | FileRange; length: number; starts: ArrayLike<number> }> = [];
  const run = (from: number, to: number) => {
    const range = lines.run(from, to);
    out.push({ piece: range, length: range.length, starts: lines.runStarts(from, to) });
  };
  let from = 0;
  for (const e of edits) {
    if (e.at > from) run(from, e.at);
    for (const p of e.after) {
      const line = Buffer.from(packageLine(recorded(p)));
      out.push({ piece: line, length: line.length, starts: [0] });
    }
    from = e.end;
  }
  if (lines.length > from) run(from, lines.length);
  return out;
}

/**
 * The text the new snapshot's contentDigest hashes (but for its extra metadata): the latest snapshot's,
 * from the record cache, with the edited groups' hrefs taken out and put in; without that, every href
 * sorted again.
 */
function sortedHrefsText(lines: RecordLines, edits: readonly Edit[], latestSorted: Buffer | undefined): Uint8Array[] {
  const before = new Set(edits.flatMap((e) => e.before.map((p) => p.href)));
  const after = new Set(edits.flatMap((e) => e.after.map(hrefOf)));
  const edited = latestSorted && editSortedLines(latestSorted, CONTENT_PREFIX, [...before].filter((h) => !after.has(h)), [...after].filter((h) => !before.has(h)));
  return edited ?? sortedLinesText(applyEdits(lines.hrefs(), edits, hrefOf), CONTENT_PREFIX);
}
