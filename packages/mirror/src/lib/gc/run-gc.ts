import { baseKey, humanBytes, isTempName, plural, repoConfigFor, silentLogger, type Logger, type OvirtRepoConfig, type Store, type StoreLock } from '@ovirt-repo/core';
import { readPoolUsers } from '../lock/pool-guard.js';
import { GC_LOCK, repoLockName, retentionLockName, withStoreLock } from '../lock/store-locks.js';
import { CACHE_DIR, CACHE_PARTS, POOL_DIR, cacheKey, repoKey, snapshotKey } from '../store/layout.js';
import { isValidRepoName, validateRepoName } from '../store/names.js';
import { readPins } from '../store/pins.js';
import { assertOwnParts } from '../store/store-parts.js';
import { listRepos, requireRepo } from '../store/repo-state.js';
import { tryRefreshStatusPages } from '../status/write-status.js';
import { classifySnapshots, pruneHistory, staleUnrecorded } from './history-gc.js';
import { collectReferences } from './references.js';
import { decideRetention, type KeepReason, type RetentionPolicy } from './retention.js';

const DEFAULT_GRACE_MS = 3_600_000;

export interface GcOptions {
  /** One policy for every repo, or a policy per repo (e.g. from ovirt-repo.yaml). */
  retention?: RetentionPolicy | ((repo: string) => RetentionPolicy);
  /** Repos whose snapshots retention applies to (default: all). Pool cleanup always covers the whole store. */
  repos?: string[];
  dryRun?: boolean;
  /**
   * The grace period of in-flight writers: temp files (interrupted downloads) and snapshots no history
   * record names older than this are removed. Default 1 hour.
   */
  tempMaxAgeMs?: number;
  lockTimeoutMs?: number;
  staleAfterMs?: number;
  logger?: Logger;
  now?: number;
}

export interface GcSnapshotResult {
  repo: string;
  id: string;
  /** A snapshot no history record names (a writer lost the commit and was killed before removing it). */
  unrecorded?: true;
}

export interface GcResult {
  dryRun: boolean;
  /** The retention each repo got (empty: none, only the pool was cleaned for it). */
  retention: Record<string, RetentionPolicy>;
  removedSnapshots: GcSnapshotResult[];
  keptSnapshots: (GcSnapshotResult & { reason: KeepReason })[];
  removedPoolFiles: number;
  removedPoolBytes: number;
  keptPoolFiles: number;
  /** Pool entries kept only because a running sync registered them. */
  protectedByRunningSyncs: number;
  removedLeftovers: number;
  /** History records of snapshots that are gone (see history-gc.ts). */
  removedHistoryRecords: number;
  durationMs: number;
}

/**
 * Remove old snapshots (never a latest or pinned one) and every pool file no remaining snapshot of any repo
 * references, plus leftovers of killed writers. Safe while syncs run: see pool-guard.ts for the protocol
 * (gc lock, then registrations, then snapshots).
 */
export async function runGc(store: Store, options: GcOptions = {}): Promise<GcResult> {
  const started = Date.now();
  const now = options.now ?? Date.now();
  const log = options.logger ?? silentLogger;
  const dryRun = Boolean(options.dryRun);
  await assertOwnParts(store);
  const repos = options.repos?.length ? options.repos.map((r) => validateRepoName(r)) : await listRepos(store);
  for (const r of repos) await requireRepo(store, r);

  let gcLock: StoreLock | undefined;
  if (!dryRun) {
    gcLock = await store.lock(GC_LOCK, {
      purpose: 'gc',
      timeoutMs: options.lockTimeoutMs ?? 10 * 60_000,
      staleAfterMs: options.staleAfterMs,
      logger: log,
    });
  }
  const result: GcResult = {
    dryRun,
    retention: {},
    removedSnapshots: [],
    keptSnapshots: [],
    removedPoolFiles: 0,
    removedPoolBytes: 0,
    keptPoolFiles: 0,
    protectedByRunningSyncs: 0,
    removedLeftovers: 0,
    removedHistoryRecords: 0,
    durationMs: 0,
  };
  try {
    // 1. Retention: old snapshots go (under each repo's short retention lock, so pin/unpin cannot race).
    const planned = new Set<string>();
    for (const repo of repos) {
      const decide = async () => {
        const { head, committed, unrecorded } = await classifySnapshots(store, repo, { write: !dryRun, log });
        const pins = await readPins(store, repo);
        const policy = typeof options.retention === 'function' ? options.retention(repo) : (options.retention ?? {});
        result.retention[repo] = policy;
        const remove = async (id: string, unrecordedOne: boolean) => {
          result.removedSnapshots.push({ repo, id, ...(unrecordedOne ? { unrecorded: true as const } : {}) });
          planned.add(`${repo}/${id}`);
          // A directory store renames it aside first, so it disappears at once, then deletes it.
          if (!dryRun) await store.remove(snapshotKey(repo, id));
          log.info(`${dryRun ? 'Would remove' : 'Removed'} ${unrecordedOne ? 'unrecorded ' : ''}snapshot ${repo}/${id}`);
        };
        for (const d of decideRetention(committed, head, new Set(pins.keys()), policy, now)) {
          if (d.remove) await remove(d.id, false);
          else result.keptSnapshots.push({ repo, id: d.id, reason: d.keptBecause ?? 'no-policy' });
        }
        const stale = new Set(await staleUnrecorded(store, repo, unrecorded, new Set(pins.keys()), options.tempMaxAgeMs ?? DEFAULT_GRACE_MS));
        for (const id of unrecorded) {
          if (stale.has(id)) await remove(id, true);
          else result.keptSnapshots.push({ repo, id, reason: pins.has(id) ? 'pinned' : 'unrecorded' });
        }
        if (!dryRun) result.removedHistoryRecords += await pruneHistory(store, repo, log);
      };
      if (dryRun) await decide();
      else await withStoreLock(store, retentionLockName(repo), { purpose: `gc of repo ${repo}`, timeoutMs: 60_000, outlastDeadHolder: true, staleAfterMs: options.staleAfterMs, logger: log }, decide);
    }

    // 2. Leftovers of killed writers in repo directories (only where no writer holds the repo now), and the
    //    caches of repos that are gone.
    if (!dryRun) {
      const present = await listRepos(store);
      result.removedLeftovers += await cleanRepoLeftovers(store, present, log);
      result.removedLeftovers += await removeOrphanCaches(store, present, log);
    }

    // 3. Registrations of running syncs first, then every snapshot's references (order matters: pool-guard.ts).
    const users = await readPoolUsers(store, { staleAfterMs: options.staleAfterMs, logger: log });
    const refs = await collectReferences(store, dryRun ? planned : new Set());

    // 4. The pool: every file that no snapshot references and no running sync registered goes. Temp files of
    //    interrupted downloads go once old (a running download's entry is registered, and young).
    if (!dryRun) result.removedLeftovers += await store.removeLeftovers(POOL_DIR, { olderThanMs: options.tempMaxAgeMs ?? DEFAULT_GRACE_MS, recursive: true });
    // One listing of the whole pool: on an object store each listing is a request (or two), and a pool has
    // a prefix per package.
    const pool = await poolFiles(store, log);
    const progress = log.progress('Scanning pool', pool.length);
    for (const file of pool) {
      progress.tick();
      if (refs.byDigest.get(file.digest)?.has(file.name)) {
        result.keptPoolFiles++;
        continue;
      }
      if (users.digests.has(file.digest)) {
        result.protectedByRunningSyncs++;
        result.keptPoolFiles++;
        continue;
      }
      if (!dryRun) await store.remove(file.key);
      result.removedPoolFiles++;
      result.removedPoolBytes += file.size;
    }
    progress.done(`Pool: ${dryRun ? 'would remove' : 'removed'} ${plural(result.removedPoolFiles, 'file')} (${humanBytes(result.removedPoolBytes)}), kept ${result.keptPoolFiles}`);
  } finally {
    await gcLock?.release();
  }
  // The status pages must not keep linking to snapshots that are gone.
  if (!dryRun && result.removedSnapshots.length > 0) await tryRefreshStatusPages(store, log, 'gc');
  result.durationMs = Date.now() - started;
  return result;
}

/**
 * The files of the pool (`pool/<dd>/<digest>/<name>`), from one recursive listing. Anything else is left
 * alone. A link where a fan-out or package prefix should be is never followed (it could lead into another
 * store's pool, whose packages this gc does not know about): it is left, with a warning.
 */
async function poolFiles(store: Store, log: Logger): Promise<{ key: string; digest: string; name: string; size: number }[]> {
  const out: { key: string; digest: string; name: string; size: number }[] = [];
  for (const e of await store.list(POOL_DIR, { recursive: true })) {
    const parts = e.key.slice(POOL_DIR.length + 1).split('/');
    if (e.type === 'link' && parts.length < 3) {
      log.warn(`gc left ${store.locationOf(e.key)} alone: it is a symbolic link, and gc never follows one out of the pool; remove it (ovirt-repo never makes one there)`);
      continue;
    }
    if (parts.length !== 3 || !/^[0-9a-f]{2}$/.test(parts[0])) continue;
    out.push({ key: e.key, digest: parts[1], name: parts[2], size: e.size });
  }
  return out;
}

/** Leftovers of killed writers in repos, removed under each repo's lock (where no writer holds it now). */
export async function cleanRepoLeftovers(store: Store, repos: readonly string[], log: Logger, heldRepo?: string): Promise<number> {
  let removed = 0;
  for (const repo of repos) {
    const clean = async () => {
      const n = await store.removeLeftovers(repoKey(repo), { olderThanMs: 0 });
      if (n) log.debug(`removed ${n} leftovers in ${store.locationOf(repoKey(repo))}`);
      removed += n;
    };
    if (repo === heldRepo) await clean();
    // A writer that is active cleans up after itself.
    else await withStoreLock(store, repoLockName(repo), { purpose: `gc cleanup of ${repo}`, timeoutMs: 0, logger: log }, clean).catch(ignoreLocked);
  }
  return removed;
}

/**
 * `cache/<name>` of every name that is no repo (any more), and in a repo's cache what no cache of this
 * version is (an older version's), where no writer holds that name's lock.
 */
async function removeOrphanCaches(store: Store, repos: readonly string[], log: Logger): Promise<number> {
  const present = new Set(repos);
  let removed = 0;
  for (const e of await store.list(CACHE_DIR)) {
    const name = baseKey(e.key);
    if (e.type !== 'prefix') continue;
    const stale = present.has(name) ? (await store.list(cacheKey(name))).filter((part) => !CACHE_PARTS.includes(baseKey(part.key)) && !isTempName(baseKey(part.key))) : [];
    if (present.has(name) && stale.length === 0) continue;
    const remove = async () => {
      if (!present.has(name)) {
        await store.remove(cacheKey(name));
        log.debug(`removed the cache of ${name}, which is no repo`);
        removed++;
      }
      for (const part of stale) {
        await store.remove(part.key);
        log.debug(`removed ${part.key}, which this version does not use`);
        removed++;
      }
    };
    // A name that is no valid repo name cannot be a sync's; its lock is not asked for. A first sync of a
    // repo holds the repo's lock before its repo directory has anything in it.
    if (!isValidRepoName(name)) await remove();
    else await withStoreLock(store, repoLockName(name), { purpose: `gc cleanup of ${name}`, timeoutMs: 0, logger: log }, remove).catch(ignoreLocked);
  }
  return removed;
}

function ignoreLocked(e: unknown): void {
  if ((e as { code?: string }).code !== 'E_LOCKED') throw e;
}

/**
 * A repo's retention: `repos.<repo>.retention` of ovirt-repo.yaml, else `defaults.retention` (each of maxAge
 * and keep separately, as core resolves them; durations there are seconds), then `overrides` (gc's
 * --max-age/--keep) replace either value. So `gc --max-age 1d` still keeps a repo's configured newest N.
 */
export function retentionFromConfig(config: OvirtRepoConfig, repo: string, overrides: RetentionPolicy = {}): RetentionPolicy {
  const r = repoConfigFor(config, repo).retention;
  const maxAgeMs = overrides.maxAgeMs ?? (r.maxAge !== undefined ? r.maxAge * 1000 : undefined);
  const keep = overrides.keep ?? r.keep;
  return { ...(maxAgeMs !== undefined ? { maxAgeMs } : {}), ...(keep !== undefined ? { keep } : {}) };
}
