import { availableParallelism } from 'node:os';
import {
  createReadClient,
  ErrorCodes,
  OvirtRepoError,
  silentLogger,
  sortedLinesText,
  tempPathFor,
  type Logger,
  type StoreLock,
  makeDirectory,
} from '@ovirt-repo/core';
import { cleanRepoLeftovers } from '../gc/run-gc.js';
import { indexedUrl, writeIndex } from '../index/write-index.js';
import { registerPoolUser } from '../lock/pool-guard.js';
import { repoLockName } from '../lock/store-locks.js';
import { summarizeSnapshot } from '../snapshot/summarize-snapshot.js';
import { YUM_DIR, defaultBaseUrl, repoDir, snapshotDir, snapshotUrl } from '../store/layout.js';
import { placesOfHrefs } from '../store/metadata-chunks.js';
import { validateRepoName } from '../store/names.js';
import { keepRecordCache, writeRecordCache } from '../store/record-cache.js';
import { packageLine, recordBodyStarts } from '../store/record-file.js';
import { listSnapshotIds } from '../store/repo-state.js';
import { nextSnapshotId } from '../store/snapshot-id.js';
import { CONTENT_PREFIX, optionsDigest, type SelectionOptions, type SyncMode } from '../store/snapshot-record.js';
import { openStore } from '../store/store.js';
import type { SyncContext } from './context.js';
import { downloadToPool } from './download-to-pool.js';
import { fetchSourceMetadata, sourcesUnchanged } from './fetch-source-metadata.js';
import { gatherMetadata } from './gather-metadata.js';
import { syncIncrementally } from './incremental-sync.js';
import { joinSelectedPackages } from './join-packages.js';
import { readLatestSnapshot } from './latest-snapshot.js';
import { MetadataThread } from './metadata-thread.js';
import { planDownloads } from './plan-downloads.js';
import { loadPreviousMetadata } from './previous-entries.js';
import { publishSnapshot } from './publish-snapshot.js';
import { selectContent } from './select-content.js';
import { settleAll } from './settle-all.js';
import { snapshotRecordFor } from './snapshot-record-for.js';
import { resolveSourceSpecs, type SourceConfig } from './sources.js';
import { stageTimer, type StageTimings } from './stage-timer.js';
import { changedResult, countChanges, unchangedResult } from './sync-result.js';
import { pauseForTest } from './test-hooks.js';
import { WorkArea } from './work-area.js';
import { writeSnapshotMetadata } from './write-snapshot-metadata.js';

export interface SyncOptions {
  /** Store root (created on first use). */
  store: string;
  repo: string;
  /** Sources: http(s):// or file:// URLs or local paths of YUM repos. */
  from?: string[];
  /** Take baseurl/mirrorlist/metalink, includepkgs and exclude from a .repo/reposync config section. */
  config?: SourceConfig;
  mode?: SyncMode;
  arch?: string[];
  include?: string[];
  exclude?: string[];
  newestOnly?: boolean;
  keepVersions?: number;
  /** For the index and the result's URL; default the store's file:// URL. */
  baseUrl?: string;
  /** Parallel downloads (default: CPUs, at least 4). */
  workers?: number;
  compression?: 'gz' | 'xz' | 'zstd';
  /**
   * The most bytes a source's metadata file may hold where repomd.xml declares no size, and may
   * decompress to where it declares no open-size (or a larger one). Default core's DEFAULT_MAX_METADATA_SIZE.
   */
  maxMetadataSize?: number;
  /** How long to wait for another writer of this repo. Default 30 minutes. */
  lockTimeoutMs?: number;
  /** Locks of other hosts are stale after this long without heartbeat. */
  staleAfterMs?: number;
  /** Retries of transient network failures: `retries + 1` requests at most per file. Default 3. */
  retries?: number;
  /** Network idle timeout, and the window the minimum rate is measured over. Default 60 s. */
  timeoutMs?: number;
  /** A download slower than this many bytes per second over a whole `timeoutMs` fails (transient). Default 1000; 0: none. */
  minRate?: number;
  /** The whole time for finding a usable mirror of a mirrorlist, metalink or several baseurls. Default 2 minutes. */
  mirrorBudgetMs?: number;
  /** Rewrite the store's index after publishing (default true). */
  writeIndex?: boolean;
  /**
   * Check the pool for every package of the new snapshot, not only those the latest one lacks, and fetch
   * again what is missing or damaged; done even when nothing changed (then no snapshot is made).
   */
  checkPool?: boolean;
  /**
   * An additive sync onto a latest snapshot made with the same options is done in proportion to what
   * changed (incremental-sync.ts). Default true; false runs the general pipeline, which reads everything.
   */
  incremental?: boolean;
  /**
   * From this many packages (in the latest snapshot, or in the new one) on, gz metadata is hashed on a
   * thread with a cache (metadata-thread.ts). Default core's HASH_THREAD_MIN_PACKAGES; for tests and tuning.
   */
  hashThreadMinPackages?: number;
  /**
   * The time the new snapshot is made at (its id and createdAt); default now. For building a store with a
   * history (tests of retention, imports); ids still only grow (see nextSnapshotId).
   */
  now?: number;
  logger?: Logger;
}

export interface SyncSourceResult {
  source: string;
  baseUrl: string;
  repomdSha256: string;
  revision?: string;
}

export interface SyncResult {
  repo: string;
  /** The new snapshot, or the unchanged latest one. */
  snapshot: string | null;
  url: string | null;
  changed: boolean;
  /** Why no snapshot was made, when changed is false. */
  reason?: string;
  previous: string | null;
  mode: SyncMode;
  /** Packages in the new snapshot that the previous latest did not have, and the other way round. */
  added: number;
  removed: number;
  packages: number;
  bytes: number;
  downloaded: { count: number; bytes: number };
  /**
   * The new snapshot's gz metadata is written in chunks of packages; `reused` of them were copied from
   * the previous snapshot. `threaded`: their content was hashed (for repomd's open-checksum) on the
   * metadata thread (metadata-thread.ts), with its cache. Absent when no snapshot was made or the metadata
   * is not gz.
   */
  metadataChunks?: { total: number; reused: number; threaded: boolean };
  sources: SyncSourceResult[];
  indexWritten: boolean;
  /** Milliseconds per pipeline stage (for benchmarks and --verbose). */
  timings: StageTimings;
  durationMs: number;
}

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

  let lock: StoreLock | undefined;
  let result: SyncResult;
  const timer = stageTimer(log);
  try {
    timer.start('lock');
    lock = await layout.lock(repoLockName(repo), {
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
          target: layout.locationOf(YUM_DIR),
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
  const metadataThread = await MetadataThread.forLatest(ctx.layout, ctx.repo, compression, ctx.options.hashThreadMinPackages);
  try {
    const result = (await syncIncrementally(ctx, metadataThread.current)) ?? (await syncStages(ctx, compression, metadataThread));
    if (result.changed && result.snapshot) await Promise.all([metadataThread.keepPublished(ctx.log), keepRecordCache(ctx.layout, ctx.repo, result.snapshot)]);
    return result;
  } finally {
    await metadataThread.close();
  }
}

async function syncStages(ctx: SyncContext, compression: 'gz' | 'xz' | 'zstd', metadataThread: MetadataThread): Promise<SyncResult> {
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
    const plan = await planDownloads(layout, content.selected, checkPool ? undefined : inLatest);

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
            // The files as the metadata thread read and verified them for itself, if it did (see preloadedFile).
            { verified: async (sha256) => metadataThread.current?.preloadedFile(sha256) },
          )
        : undefined;
    const { packages, ...head } = snapshotRecordFor(ctx, latest, sources, content, metadata.extras, id, now);
    const hashThread = await metadataThread.forWrite(packages.length);
    const lines = packages.map(packageLine);
    const hrefs = packages.map((p) => p.href);
    const base = latest.record && latest.id ? { id: latest.id, packages: latest.record.packages } : undefined;
    // A large repo's next deploy needs it (see record-cache.ts); a mirror's next sync is a general one again.
    const cacheWritten =
      hashThread && ctx.mode === 'additive' && writeRecordCache(layout, repo, id, recordBodyStarts(lines.map((l) => ({ length: Buffer.byteLength(l), starts: [0] }))), sortedLinesText(hrefs, CONTENT_PREFIX));
    const written = await writeSnapshotMetadata({
      stagingDir: staging,
      packages: joinSelectedPackages(metadata.inputs, content.selected, previousEntries),
      packageCount: packages.length,
      extras: metadata.extras,
      compression,
      ...(previousEntries?.reuse ? { reuse: previousEntries.reuse } : {}),
      ...(hashThread ? { hashThread } : {}),
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
