import { availableParallelism } from 'node:os';
import {
  acquireLock,
  createReadClient,
  ErrorCodes,
  OvirtRepoError,
  silentLogger,
  sortedLinesText,
  tempPathFor,
  type Lock,
  makeDirectory,
  OpenContentCache,
} from '@ovirt-repo/core';
import { cleanRepoLeftovers } from '../gc/run-gc.js';
import { indexedUrl, writeIndex } from '../index/write-index.js';
import { registerPoolUser } from '../lock/pool-guard.js';
import { repoLockPath } from '../lock/store-locks.js';
import { summarizeSnapshot } from '../snapshot/summarize-snapshot.js';
import { defaultBaseUrl, metadataCacheDir, repoDir, snapshotDir, snapshotUrl } from '../store/layout.js';
import { placesOfHrefs } from '../store/metadata-chunks.js';
import { validateRepoName } from '../store/names.js';
import { keepRecordCache, writeRecordCache } from '../store/record-cache.js';
import { packageLine, recordBodyStarts } from '../store/record-file.js';
import { listSnapshotIds } from '../store/repo-state.js';
import { nextSnapshotId } from '../store/snapshot-id.js';
import { CONTENT_PREFIX, optionsDigest, type SelectionOptions, type SyncMode } from '../store/snapshot-record.js';
import { openStore } from '../store/store.js';
import type { SyncContext } from './context.js';
import type { SyncOptions, SyncResult } from './options.js';
import { downloadToPool } from './download-to-pool.js';
import { fetchSourceMetadata, sourcesUnchanged } from './fetch-source-metadata.js';
import { gatherMetadata } from './gather-metadata.js';
import { syncIncrementally } from './incremental-sync.js';
import { joinSelectedPackages } from './join-packages.js';
import { readLatestSnapshot } from './latest-snapshot.js';
import { planDownloads } from './plan-downloads.js';
import { loadPreviousMetadata } from './previous-entries.js';
import { publishSnapshot } from './publish-snapshot.js';
import { selectContent } from './select-content.js';
import { settleAll } from './settle-all.js';
import { snapshotRecordFor } from './snapshot-record-for.js';
import { resolveSourceSpecs } from './sources.js';
import { stageTimer } from './stage-timer.js';
import { changedResult, countChanges, unchangedResult } from './sync-result.js';
import { pauseForTest } from './test-hooks.js';
import { WorkArea } from './work-area.js';
import { writeSnapshotMetadata } from './write-snapshot-metadata.js';

/**
 * `ovirt-repo mirror sync`: the pipeline
 *   fetchSourceMetadata -> selectPackages -> planDownloads -> downloadToPool -> writeSnapshotMetadata
 *   -> publishSnapshot -> writeIndex
 * under the repo's writer lock. Either a complete snapshot is published and latest.txt and the index move
 * to it, or nothing visible changes.
 */
export async function syncRepo(options: SyncOptions): Promise<SyncResult> {
  const started = Date.now();
  const log = options.logger ?? silentLogger;
  const repo = validateRepoName(options.repo);
  const mode: SyncMode = options.mode ?? 'mirror';
  const workers = options.workers ?? Math.max(4, availableParallelism());
  const specs = await resolveSourceSpecs(options.from ?? [], options.config, repo, options.arch);
  const selection: SelectionOptions = {
    ...(options.arch?.length ? { arch: options.arch } : {}),
    ...(options.include?.length || specs.include.length ? { include: [...(options.include ?? []), ...specs.include] } : {}),
    ...(options.exclude?.length || specs.exclude.length ? { exclude: [...(options.exclude ?? []), ...specs.exclude] } : {}),
    ...(options.newestOnly ? { newestOnly: true } : {}),
    ...(options.keepVersions !== undefined ? { keepVersions: options.keepVersions } : {}),
  };
  const optDigest = optionsDigest(mode, selection);
  const layout = await openStore(options.store, { create: true });
  const baseUrl = (options.baseUrl ?? defaultBaseUrl(layout)).replace(/\/+$/, '');
  const client = createReadClient({ maxSockets: workers, retries: options.retries, idleTimeoutMs: options.timeoutMs, minBytesPerSecond: options.minRate, logger: log });

  let lock: Lock | undefined;
  let result: SyncResult;
  const timer = stageTimer(log);
  try {
    timer.start('lock');
    lock = await acquireLock(repoLockPath(layout, repo), {
      purpose: `mirror sync of ${repo}`,
      timeoutMs: options.lockTimeoutMs ?? 30 * 60_000,
      staleAfterMs: options.staleAfterMs,
      logger: log,
    });
    await pauseForTest('after-lock');
    await makeDirectory(repoDir(layout, repo));
    const leftovers = await cleanRepoLeftovers(layout, [repo], log, repo);
    if (leftovers) log.info(`Removed ${leftovers} leftovers of an interrupted sync of ${repo}`);
    result = await syncLocked({ layout, repo, mode, selection, optDigest, specs: specs.specs, workers, baseUrl, client, lock, log, options, timer });
  } finally {
    timer.end();
    await lock?.release();
    client.close();
  }

  if (options.writeIndex ?? true) {
    const expected = result.snapshot ? snapshotUrl(baseUrl, repo, result.snapshot) : undefined;
    if (result.changed || (expected && (await indexedUrl(layout, repo)) !== expected)) {
      try {
        timer.start('writeIndex');
        await writeIndex(layout, { baseUrl, logger: log });
        timer.end();
        result.indexWritten = true;
      } catch (e) {
        throw new OvirtRepoError(ErrorCodes.STORE, `snapshot ${repo}/${result.snapshot} is published, but the index could not be written: ${(e as Error).message}`, {
          target: layout.yumDir,
          hint: 'run `ovirt-repo index write` once the problem is fixed',
          cause: e,
        });
      }
    }
  }
  result.durationMs = Date.now() - started;
  return result;
}

/**
 * The pipeline under the writer lock. Each stage is a function of its own file; this only sequences them,
 * times them, and cleans up the work directory and an unpublished staging directory, whatever happens.
 */
async function syncLocked(ctx: SyncContext): Promise<SyncResult> {
  const compression = ctx.options.compression ?? 'gz';
  // The content of the gz metadata, for repomd's open-checksum of the chunks the next snapshot copies.
  const cache = compression === 'gz' ? new OpenContentCache(metadataCacheDir(ctx.layout, ctx.repo)) : undefined;
  const result = (await syncIncrementally(ctx, cache)) ?? (await syncStages(ctx, compression, cache));
  if (result.changed && result.snapshot) {
    // Only the new latest snapshot's content stays. Best effort: a cache only saves time.
    cache?.retainUsed();
    await keepRecordCache(ctx.layout, ctx.repo, result.snapshot);
  }
  return result;
}

async function syncStages(ctx: SyncContext, compression: 'gz' | 'xz' | 'zstd', cache: OpenContentCache | undefined): Promise<SyncResult> {
  const { layout, repo, log, timer } = ctx;
  const latest = await readLatestSnapshot(layout, repo, log);

  const checkPool = ctx.options.checkPool ?? false;
  timer.start('fetchSourceMetadata');
  const sources = await fetchSourceMetadata(ctx, latest);
  if (!checkPool && sourcesUnchanged(ctx, latest, sources)) {
    log.info(`${repo}: sources unchanged since snapshot ${latest.id}`);
    return unchangedResult(ctx, latest, sources, 'sources unchanged');
  }

  const area = new WorkArea(layout, repo);
  try {
    timer.start('selectPackages');
    const content = await selectContent(ctx, latest, sources, area.dir);
    const same = latest.record?.contentDigest === content.digest;
    if (same && !checkPool) {
      log.info(`${repo}: same packages and metadata as snapshot ${latest.id}; no new snapshot`);
      return unchangedResult(ctx, latest, sources, 'same packages and metadata as the latest snapshot');
    }

    // Announced to gc before the pool is looked at (see pool-guard.ts).
    timer.start('planDownloads');
    // Only what the latest snapshot lacks: gc keeps what a latest snapshot references, and this one stays
    // latest until this sync publishes (it holds the repo's writer lock).
    const inLatest = new Set(latest.record?.packages.map((p) => p.href));
    const fresh = content.selected.filter((c) => !inLatest.has(c.poolHref)).map((c) => c.digest);
    area.registration = await registerPoolUser(layout, fresh, { purpose: `mirror sync of ${repo}`, logger: log, staleAfterMs: ctx.options.staleAfterMs });
    const plan = planDownloads(layout, content.selected, checkPool ? undefined : inLatest);

    timer.start('downloadToPool');
    log.info(`Pool has ${plan.present} of ${plan.present + plan.fetch.length + plan.corrupt.length} packages; fetching ${plan.fetch.length + plan.corrupt.length} (${plan.bytes} bytes)`);
    if (same) {
      // --check-pool with nothing new: the pool is made whole for the latest snapshot, which stays.
      const repaired = await downloadToPool(layout, plan, ctx.client, ctx.workers, log);
      const what = repaired.count ? `${repaired.count} missing or damaged pool files fetched again` : 'the pool holds every package';
      log.info(`${repo}: same packages and metadata as snapshot ${latest.id}; ${what}`);
      return { ...unchangedResult(ctx, latest, sources, `same packages and metadata as the latest snapshot; ${what}`), downloaded: repaired };
    }
    const [downloaded, metadata] = await settleAll([downloadToPool(layout, plan, ctx.client, ctx.workers, log), gatherMetadata(ctx, content, area.dir)]);
    await pauseForTest('after-download');

    timer.start('writeSnapshotMetadata');
    const now = ctx.options.now ?? Date.now();
    const id = nextSnapshotId(await listSnapshotIds(layout, repo), now);
    const staging = (area.staging = tempPathFor(snapshotDir(layout, repo, id)));
    const previousEntries =
      content.latestRepomd && latest.id && latest.record
        ? await loadPreviousMetadata(
            snapshotDir(layout, repo, latest.id),
            latest.id,
            content.latestRepomd,
            latest.record.packages.map((p) => p.href),
            log,
          )
        : undefined;
    const { packages, ...head } = snapshotRecordFor(ctx, latest, sources, content, metadata.extras, id, now);
    const lines = packages.map(packageLine);
    const hrefs = packages.map((p) => p.href);
    const base = latest.record && latest.id ? { id: latest.id, packages: latest.record.packages } : undefined;
    // The next deploy needs it (see record-cache.ts); a mirror's next sync is a general one again.
    const cacheWritten =
      ctx.mode === 'additive' && writeRecordCache(layout, repo, id, recordBodyStarts(lines.map((l) => ({ length: Buffer.byteLength(l), starts: [0] }))), sortedLinesText(hrefs, CONTENT_PREFIX));
    const written = await writeSnapshotMetadata({
      stagingDir: staging,
      packages: joinSelectedPackages(metadata.inputs, content.selected, previousEntries),
      packageCount: packages.length,
      extras: metadata.extras,
      compression,
      ...(previousEntries?.reuse ? { reuse: previousEntries.reuse } : {}),
      ...(cache ? { cache } : {}),
      record: { head, lines, places: placesOfHrefs(hrefs) },
      summary: summarizeSnapshot({ ...head, packages }, base),
    }).finally(() => cacheWritten);

    timer.start('publishSnapshot');
    await publishSnapshot(layout, repo, id, staging, ctx.lock, latest.id);
    timer.end();
    area.staging = undefined;
    log.info(`Published ${repo}/${id}: ${written.stats.packages} packages`);
    return changedResult(ctx, latest, sources, written, downloaded, countChanges(latest.record?.packages ?? [], packages));
  } finally {
    await area.release();
  }
}
