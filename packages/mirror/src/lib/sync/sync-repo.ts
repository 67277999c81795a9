import { availableParallelism } from 'node:os';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCodes, OvirtRepoError, ioError, parseRepomd, silentLogger, tempPathFor, type Logger, type PrimaryPackage, type Repomd, type RepomdRecord } from '@ovirt-repo/core';
import { cleanRepoLeftovers } from '../gc/run-gc.js';
import { indexedUrl, writeIndex } from '../index/write-index.js';
import { acquireLock, type Lock } from '../lock/file-lock.js';
import { registerPoolUser, type PoolRegistration } from '../lock/pool-guard.js';
import { repoLockPath } from '../lock/store-locks.js';
import { createReadClient, type ReadClient } from '../source/http-client.js';
import { parseLocation, type RepoLocation } from '../source/location.js';
import { defaultBaseUrl, repoDir, snapshotDir, snapshotUrl, type StoreLayout } from '../store/layout.js';
import { validateRepoName } from '../store/names.js';
import { listSnapshotIds, readLatest } from '../store/repo-state.js';
import { nextSnapshotId } from '../store/snapshot-id.js';
import {
  contentDigest,
  optionsDigest,
  readSnapshotRecord,
  type SelectionOptions,
  type SnapshotRecord,
  type SyncMode,
} from '../store/snapshot-record.js';
import { openStore } from '../store/store.js';
import type { Candidate } from './candidates.js';
import { downloadToPool } from './download-to-pool.js';
import type { OriginMetadata } from './join-packages.js';
import { chooseExtras, extraSummary, findRecord, obtainExtra, obtainMetadataFile, requirePrimary } from './metadata-files.js';
import { planDownloads } from './plan-downloads.js';
import { loadPreviousEntries } from './previous-entries.js';
import { publishSnapshot } from './publish-snapshot.js';
import { readCandidates } from './read-candidates.js';
import { selectPackages } from './select-packages.js';
import { fetchSourceRepomds, resolveSourceSpecs, type SourceConfig, type SourceRepomd } from './sources.js';
import { stageTimer, type StageTimings } from './stage-timer.js';
import { pauseForTest } from './test-hooks.js';
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
  /** How long to wait for another writer of this repo. Default 30 minutes. */
  lockTimeoutMs?: number;
  /** Locks of other hosts are stale after this long without heartbeat. */
  staleAfterMs?: number;
  /** Retries of transient network failures. Default 3. */
  retries?: number;
  /** Network idle timeout. Default 60 s. */
  timeoutMs?: number;
  /** Rewrite the store's index after publishing (default true). */
  writeIndex?: boolean;
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
  const client = createReadClient({ maxSockets: workers, retries: options.retries, idleTimeoutMs: options.timeoutMs, logger: log });

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
    await mkdir(repoDir(layout, repo), { recursive: true }).catch((e) => {
      throw ioError('create repo directory', repoDir(layout, repo), e);
    });
    const leftovers = await cleanRepoLeftovers(layout, [repo], log, repo);
    if (leftovers) log.info(`Removed ${leftovers} leftovers of an interrupted sync of ${repo}`);
    result = await syncLocked({ layout, repo, mode, selection, optDigest, specs: specs.specs, workers, baseUrl, client, lock, log, options, started, timer });
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

interface LockedContext {
  layout: StoreLayout;
  repo: string;
  mode: SyncMode;
  selection: SelectionOptions;
  optDigest: string;
  specs: Awaited<ReturnType<typeof resolveSourceSpecs>>['specs'];
  workers: number;
  baseUrl: string;
  client: ReadClient;
  lock: Lock;
  log: Logger;
  options: SyncOptions;
  started: number;
  timer: ReturnType<typeof stageTimer>;
}

async function syncLocked(ctx: LockedContext): Promise<SyncResult> {
  const { layout, repo, mode, log, client, timer } = ctx;
  const latestId = await readLatest(layout, repo);
  const latest = latestId ? await readSnapshotRecord(snapshotDir(layout, repo, latestId)) : undefined;
  if (latestId && !latest) log.warn(`latest snapshot ${repo}/${latestId} has no snapshot.json; treating the repo as new`);

  // fetchSourceMetadata: one small request per source.
  const recorded = new Map<string, string>();
  if (latest && latest.optionsDigest === ctx.optDigest) for (const s of latest.sources) recorded.set(s.url, s.repomdSha256);
  timer.start('fetchSourceMetadata');
  log.info(`Reading ${ctx.specs.length === 1 ? (ctx.specs[0]?.id ?? '') : `${ctx.specs.length} sources`}`);
  const sources = await fetchSourceRepomds(ctx.specs, client, recorded, log);
  const sourceResults = sources.map((s) => ({ source: s.spec.id, baseUrl: s.location.display, repomdSha256: s.repomdSha256, ...(s.revision ? { revision: s.revision } : {}) }));
  const base = (reason: string): SyncResult => ({
    repo,
    snapshot: latestId ?? null,
    url: latestId ? snapshotUrl(ctx.baseUrl, repo, latestId) : null,
    changed: false,
    reason,
    previous: latestId ?? null,
    mode,
    added: 0,
    removed: 0,
    packages: latest?.stats.packages ?? 0,
    bytes: latest?.stats.bytes ?? 0,
    downloaded: { count: 0, bytes: 0 },
    sources: sourceResults,
    indexWritten: false,
    timings: timer.timings,
    durationMs: 0,
  });
  if (
    latest &&
    latest.optionsDigest === ctx.optDigest &&
    latest.sources.length === sources.length &&
    sources.every((s, i) => latest.sources[i]?.url === s.spec.id && latest.sources[i]?.repomdSha256 === s.repomdSha256)
  ) {
    log.info(`${repo}: sources unchanged since snapshot ${latestId}`);
    return base('sources unchanged');
  }

  const workDir = tempPathFor(join(repoDir(layout, repo), 'work'));
  let staging: string | undefined;
  let registration: PoolRegistration | undefined;
  try {
    // Every source's repomd.xml (a metalink may have vouched for an unchanged one without fetching it).
    const full = await settleAll(sources.map((s) => withRepomd(s, client)));
    // The latest snapshot's repomd.xml: additive mode builds on it; either mode reuses its package entries.
    const latestRepomd =
      latest && latestId
        ? await readOwnRepomd(layout, repo, latestId).catch((e: unknown) => {
            if (mode === 'additive') throw e;
            log.warn(`not reusing snapshot ${repo}/${latestId}: ${(e as Error).message}`);
            return undefined;
          })
        : undefined;
    const previousRepomd = mode === 'additive' ? latestRepomd : undefined;

    timer.start('selectPackages');
    // selectPackages: pass 1 over primary.xml of every source (+ the previous snapshot's package list).
    const primaries = await settleAll(
      full.map(({ source, repomd }) => obtainMetadataFile(source.location, requirePrimary(repomd, source.location.display), client, workDir, `s${source.index}`)),
    );
    const incoming: Candidate[] = [];
    const primaryRecords: (PrimaryPackage[] | undefined)[] = [];
    const primaryEntries: (ReadonlyMap<string, string> | undefined)[] = [];
    for (const [i, { source }] of full.entries()) {
      // With a latest snapshot most packages usually come from it, so pass 2 will parse only a few entries.
      const read = await readCandidates(at(primaries, i), source.location, source.index, { byLayout: latestRepomd !== undefined });
      for (const c of read.candidates) incoming.push(c);
      primaryRecords.push(read.records);
      primaryEntries.push(read.entries);
    }
    const previous = mode === 'additive' && latest ? previousCandidates(layout, latest) : [];
    const modular = full.some(({ repomd }) => findRecord(repomd, 'modules')) || (mode === 'additive' && Boolean(latest?.modular));
    if (modular && (ctx.selection.newestOnly || ctx.selection.keepVersions !== undefined)) log.warn('modular repo: keeping every package version (newest-only/keep-versions not applied)');
    const sel = selectPackages({ mode, incoming, previous, options: ctx.selection, modular });
    const selected = sel.selected;
    log.info(`Selected ${selected.length} packages (${sel.filteredOut} filtered out, ${sel.pruned} older versions dropped)`);

    const ownLocation: RepoLocation | undefined = previousRepomd && latestId ? parseLocation(snapshotDir(layout, repo, latestId)) : undefined;
    const extraChoices = chooseExtras(
      [
        ...(previousRepomd && ownLocation ? [{ repomd: previousRepomd, location: ownLocation, tag: 'prev', from: `snapshot ${latestId}` }] : []),
        ...full.map(({ source, repomd }) => ({ repomd, location: source.location, tag: `s${source.index}`, from: source.spec.id })),
      ],
      log,
    );
    const content = contentDigest(
      selected.map((c) => ({ href: c.poolHref })),
      extraChoices.map((e) => ({ type: e.record.type, checksum: e.record.checksum.value })),
    );
    if (latest && latest.contentDigest === content) {
      log.info(`${repo}: same packages and metadata as snapshot ${latestId}; no new snapshot`);
      return { ...base('same packages and metadata as the latest snapshot'), sources: sourceResults };
    }

    // planDownloads + downloadToPool, announced to gc first (see pool-guard.ts).
    timer.start('planDownloads');
    registration = await registerPoolUser(layout, selected.map((c) => c.digest), { purpose: `mirror sync of ${repo}`, logger: log, staleAfterMs: ctx.options.staleAfterMs });
    const plan = planDownloads(layout, selected);
    timer.start('downloadToPool');
    log.info(`Pool has ${plan.present} of ${plan.present + plan.fetch.length + plan.corrupt.length} packages; fetching ${plan.fetch.length + plan.corrupt.length} (${plan.bytes} bytes)`);
    const [downloaded, rest] = await settleAll([
      downloadToPool(layout, plan, client, ctx.workers, log),
      settleAll([
        settleAll(
          full.map(async ({ source, repomd }, i): Promise<OriginMetadata> => {
            const fl = findRecord(repomd, 'filelists');
            const ot = findRecord(repomd, 'other');
            return {
              origin: source.index,
              primary: at(primaries, i),
              ...(primaryRecords[i] ? { primaryRecords: primaryRecords[i] } : {}),
              ...(primaryEntries[i] ? { primaryEntries: primaryEntries[i] } : {}),
              ...(fl ? { filelists: await obtainMetadataFile(source.location, fl, client, workDir, `s${source.index}`) } : {}),
              ...(ot ? { other: await obtainMetadataFile(source.location, ot, client, workDir, `s${source.index}`) } : {}),
            };
          }),
        ),
        settleAll(extraChoices.map((e) => obtainExtra(e, client, workDir))),
      ]),
    ]);
    await pauseForTest('after-download');
    const [sourceInputs, extras] = rest;
    const inputs: OriginMetadata[] = [];
    if (previousRepomd && ownLocation) {
      const own = (r: RepomdRecord) => obtainMetadataFile(ownLocation, r, client, workDir, 'prev');
      const fl = findRecord(previousRepomd, 'filelists');
      const ot = findRecord(previousRepomd, 'other');
      inputs.push({
        origin: -1,
        primary: await own(requirePrimary(previousRepomd, ownLocation.display)),
        ...(fl ? { filelists: await own(fl) } : {}),
        ...(ot ? { other: await own(ot) } : {}),
      });
    }
    inputs.push(...sourceInputs);

    timer.start('writeSnapshotMetadata');
    // writeSnapshotMetadata, aside under a temp name, then publishSnapshot.
    const previousEntries = latestRepomd && latestId ? await loadPreviousEntries(snapshotDir(layout, repo, latestId), latestId, latestRepomd, log) : undefined;
    const now = ctx.options.now ?? Date.now();
    const id = nextSnapshotId(await listSnapshotIds(layout, repo), now);
    staging = tempPathFor(snapshotDir(layout, repo, id));
    const prevHrefs = new Set(latest?.packages.map((p) => p.href) ?? []);
    const newHrefs = new Set(selected.map((c) => c.poolHref));
    const packages = [...new Map(selected.map((c) => [c.poolHref, c])).values()].map((c) => ({
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
    const record = await writeSnapshotMetadata({
      stagingDir: staging,
      inputs,
      selected,
      extras,
      ...(previousEntries ? { previous: previousEntries } : {}),
      compression: ctx.options.compression ?? 'gz',
      record: {
        format: 1,
        repo,
        id,
        createdAt: new Date(now).toISOString(),
        ...(latestId ? { parent: latestId } : {}),
        mode,
        options: ctx.selection,
        optionsDigest: ctx.optDigest,
        sources: sources.map((s) => ({ url: s.spec.id, kind: s.spec.kind, baseUrl: s.location.display, repomdSha256: s.repomdSha256, ...(s.revision ? { revision: s.revision } : {}) })),
        contentDigest: content,
        extraMetadata: extras.map(extraSummary),
        modular,
        stats: { packages: packages.length, bytes: packages.reduce((n, p) => n + p.size, 0) },
        packages,
      },
      ...(latest && latestId ? { base: { id: latestId, packages: latest.packages } } : {}),
    });
    timer.start('publishSnapshot');
    await publishSnapshot(layout, repo, id, staging, ctx.lock, latestId);
    timer.end();
    staging = undefined;
    log.info(`Published ${repo}/${id}: ${record.stats.packages} packages`);
    return {
      repo,
      snapshot: id,
      url: snapshotUrl(ctx.baseUrl, repo, id),
      changed: true,
      previous: latestId ?? null,
      mode,
      added: [...newHrefs].filter((h) => !prevHrefs.has(h)).length,
      removed: [...prevHrefs].filter((h) => !newHrefs.has(h)).length,
      packages: record.stats.packages,
      bytes: record.stats.bytes,
      downloaded,
      sources: sourceResults,
      indexWritten: false,
      timings: timer.timings,
      durationMs: 0,
    };
  } finally {
    await registration?.release();
    // Cleanup never hides the error that got us here; what it cannot remove, the next writer or gc will.
    await rm(workDir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
    if (staging) await rm(staging, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
  }
}

/**
 * Like Promise.all, but waits for every promise to settle before rejecting with the first failure, so
 * nothing keeps writing into the work directory while the sync cleans up after a failure.
 */
async function settleAll<T extends readonly unknown[]>(promises: { [K in keyof T]: Promise<T[K]> }): Promise<T>;
async function settleAll<T>(promises: Promise<T>[]): Promise<T[]>;
async function settleAll(promises: Promise<unknown>[]): Promise<unknown[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value);
}

/** A source whose repomd.xml a metalink vouched for (not fetched) still needs it for the metadata files. */
async function withRepomd(s: SourceRepomd, client: ReadClient): Promise<{ source: SourceRepomd; repomd: Repomd }> {
  if (s.repomd) return { source: s, repomd: s.repomd };
  const url = new URL('repodata/repomd.xml', s.location.base);
  const repomd = parseRepomd(await client.read(url, 16 << 20), url.href);
  return { source: s, repomd };
}

async function readOwnRepomd(layout: StoreLayout, repo: string, id: string): Promise<Repomd> {
  const path = join(snapshotDir(layout, repo, id), 'repodata', 'repomd.xml');
  try {
    return parseRepomd(await readFile(path), path);
  } catch (e) {
    if (e instanceof OvirtRepoError) throw e;
    throw ioError('read', path, e);
  }
}

/** The previous snapshot's packages as candidates (they are in the pool already). */
function previousCandidates(layout: StoreLayout, latest: SnapshotRecord): Candidate[] {
  return latest.packages.map((p) => ({
    name: p.name,
    epoch: p.epoch,
    version: p.version,
    release: p.release,
    arch: p.arch,
    origin: -1,
    checksumType: p.checksumType,
    digest: p.digest,
    size: p.size,
    // Only a pool entry found missing would need it (to name it in the error), so it is made on demand.
    get url() {
      return pathToFileURL(join(layout.root, p.href));
    },
    fileName: p.href.split('/').at(-1) ?? '',
    poolHref: p.href,
  }));
}

/** Element `i` of a list built for every source (a programming error if missing). */
function at<T>(list: readonly T[], i: number): T {
  const v = list[i];
  if (v === undefined) throw new OvirtRepoError(ErrorCodes.INTERNAL, `internal: no entry ${i} of ${list.length}`);
  return v;
}
