import { lstat, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { acquireLock, ioError, isTempName, repoConfigFor, silentLogger, tempPathFor, tryAcquireLock, type Lock, type Logger, type OvirtRepoConfig } from '@ovirt-repo/core';
import { readPoolUsers } from '../lock/pool-guard.js';
import { gcLockPath, repoLockPath, retentionLockPath } from '../lock/store-locks.js';
import { repoDir, snapshotDir, type StoreLayout } from '../store/layout.js';
import { isValidRepoName, validateRepoName } from '../store/names.js';
import { readPins } from '../store/pins.js';
import { assertOwnParts } from '../store/store-parts.js';
import { listRepos, listSnapshotIds, readLatest, requireRepo } from '../store/repo-state.js';
import { tryRefreshStatusPages } from '../status/write-status.js';
import { collectReferences } from './references.js';
import { decideRetention, type KeepReason, type RetentionPolicy } from './retention.js';

export interface GcOptions {
  /** One policy for every repo, or a policy per repo (e.g. from ovirt-repo.yaml). */
  retention?: RetentionPolicy | ((repo: string) => RetentionPolicy);
  /** Repos whose snapshots retention applies to (default: all). Pool cleanup always covers the whole store. */
  repos?: string[];
  dryRun?: boolean;
  /** Temp files (interrupted downloads) older than this are removed. Default 1 hour. */
  tempMaxAgeMs?: number;
  lockTimeoutMs?: number;
  staleAfterMs?: number;
  logger?: Logger;
  now?: number;
}

export interface GcSnapshotResult {
  repo: string;
  id: string;
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
  durationMs: number;
}

/**
 * Remove old snapshots (never a latest or pinned one) and every pool file no remaining snapshot of any repo
 * references, plus leftovers of killed writers. Safe while syncs run: see pool-guard.ts for the protocol
 * (gc lock, then registrations, then snapshots).
 */
export async function runGc(layout: StoreLayout, options: GcOptions = {}): Promise<GcResult> {
  const started = Date.now();
  const now = options.now ?? Date.now();
  const log = options.logger ?? silentLogger;
  const dryRun = Boolean(options.dryRun);
  await assertOwnParts(layout);
  const repos = options.repos?.length ? options.repos.map((r) => validateRepoName(r)) : await listRepos(layout);
  for (const r of repos) await requireRepo(layout, r);

  let gcLock: Lock | undefined;
  if (!dryRun) {
    gcLock = await acquireLock(gcLockPath(layout), {
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
    durationMs: 0,
  };
  try {
    // 1. Retention: old snapshots go (under each repo's short retention lock, so pin/unpin cannot race).
    const planned = new Set<string>();
    for (const repo of repos) {
      const decide = async () => {
        const ids = await listSnapshotIds(layout, repo);
        const latest = await readLatest(layout, repo);
        const pins = await readPins(layout, repo);
        const policy = typeof options.retention === 'function' ? options.retention(repo) : (options.retention ?? {});
        result.retention[repo] = policy;
        for (const d of decideRetention(ids, latest, new Set(pins.keys()), policy, now)) {
          if (!d.remove) {
            result.keptSnapshots.push({ repo, id: d.id, reason: d.keptBecause ?? 'no-policy' });
            continue;
          }
          result.removedSnapshots.push({ repo, id: d.id });
          planned.add(`${repo}/${d.id}`);
          if (!dryRun) await removeSnapshotDir(snapshotDir(layout, repo, d.id));
          log.info(`${dryRun ? 'Would remove' : 'Removed'} snapshot ${repo}/${d.id}`);
        }
      };
      if (dryRun) await decide();
      else {
        const lock = await acquireLock(retentionLockPath(layout, repo), { purpose: `gc of repo ${repo}`, timeoutMs: 60_000, logger: log });
        try {
          await decide();
        } finally {
          await lock.release();
        }
      }
    }

    // 2. Leftovers of killed writers in repo directories (only where no writer holds the repo now), and the
    //    caches of repos that are gone.
    if (!dryRun) {
      const present = await listRepos(layout);
      result.removedLeftovers += await cleanRepoLeftovers(layout, present, log);
      result.removedLeftovers += await removeOrphanCaches(layout, present, log);
    }

    // 3. Registrations of running syncs first, then every snapshot's references (order matters: pool-guard.ts).
    const users = await readPoolUsers(layout, { staleAfterMs: options.staleAfterMs, logger: log });
    const refs = await collectReferences(layout, dryRun ? planned : new Set());

    // 4. The pool.
    const tempMaxAge = options.tempMaxAgeMs ?? 3_600_000;
    const fanouts = await poolDirectories(layout.poolDir, log);
    const progress = log.progress('Scanning pool', fanouts.length);
    for (const dd of fanouts.sort()) {
      progress.tick();
      const ddPath = join(layout.poolDir, dd);
      if (!/^[0-9a-f]{2}$/.test(dd)) continue;
      for (const digest of await poolDirectories(ddPath, log).catch(() => [] as string[])) {
        const entry = join(ddPath, digest);
        const registered = users.digests.has(digest);
        const referenced = refs.byDigest.get(digest);
        let names: string[];
        try {
          names = await readdir(entry);
        } catch {
          continue;
        }
        let left = 0;
        for (const name of names) {
          const path = join(entry, name);
          const st = await lstat(path).catch(() => undefined);
          if (!st) continue;
          if (isTempName(name)) {
            if (now - st.mtimeMs > tempMaxAge) {
              if (!dryRun) await rm(path, { force: true });
              result.removedLeftovers++;
            } else left++;
            continue;
          }
          if (referenced?.has(name)) {
            result.keptPoolFiles++;
            left++;
            continue;
          }
          if (registered) {
            result.protectedByRunningSyncs++;
            result.keptPoolFiles++;
            left++;
            continue;
          }
          if (!dryRun) await rm(path, { force: true });
          result.removedPoolFiles++;
          result.removedPoolBytes += st.size;
        }
        if (left === 0 && !registered && !dryRun) await rmdir(entry).catch(() => undefined);
      }
      if (!dryRun) await rmdir(ddPath).catch(() => undefined); // only succeeds when empty
    }
    progress.done(`Pool: removed ${result.removedPoolFiles} files (${result.removedPoolBytes} bytes), kept ${result.keptPoolFiles}`);
  } finally {
    await gcLock?.release();
  }
  // The status pages must not keep linking to snapshots that are gone.
  if (!dryRun && result.removedSnapshots.length > 0) await tryRefreshStatusPages(layout, log, 'gc');
  result.durationMs = Date.now() - started;
  return result;
}

/**
 * The subdirectories of a pool directory. A symlink there is never followed (it could lead into another
 * store's pool, whose packages this gc does not know about): it is left alone, with a warning.
 */
async function poolDirectories(dir: string, log: Logger): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError('list pool', dir, e);
    return [];
  }
  const dirs: string[] = [];
  for (const e of entries) {
    if (e.isDirectory()) dirs.push(e.name);
    else if (e.isSymbolicLink()) log.warn(`gc left ${join(dir, e.name)} alone: it is a symbolic link, and gc never follows one out of the pool; remove it (ovirt-repo never makes one there)`);
  }
  return dirs;
}

/** Make a snapshot disappear atomically (rename to a temp name), then delete it. */
async function removeSnapshotDir(dir: string): Promise<void> {
  const aside = tempPathFor(dir);
  try {
    await rename(dir, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw ioError('remove snapshot', dir, e);
  }
  await rm(aside, { recursive: true, force: true });
}

/** Temp directories/files left in repo directories by killed writers, removed under the repo lock. */
export async function cleanRepoLeftovers(layout: StoreLayout, repos: readonly string[], log: Logger, heldRepo?: string): Promise<number> {
  let removed = 0;
  for (const repo of repos) {
    let lock: Lock | undefined;
    if (repo !== heldRepo) {
      const r = await tryAcquireLock(repoLockPath(layout, repo), { purpose: `gc cleanup of ${repo}`, logger: log });
      if ('heldBy' in r) continue; // a writer is active; it cleans up itself
      lock = r;
    }
    try {
      const dir = repoDir(layout, repo);
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const name of names) {
        if (!isTempName(name)) continue;
        await rm(join(dir, name), { recursive: true, force: true });
        log.debug(`removed leftover ${join(dir, name)}`);
        removed++;
      }
    } finally {
      await lock?.release();
    }
  }
  return removed;
}

/** `<store>/cache/<name>` of every name that is no repo (any more), where no writer holds that name's lock. */
async function removeOrphanCaches(layout: StoreLayout, repos: readonly string[], log: Logger): Promise<number> {
  const present = new Set(repos);
  let removed = 0;
  for (const name of await readdir(layout.cacheDir).catch(() => [] as string[])) {
    if (present.has(name)) continue;
    // A name that is no valid repo name cannot be a sync's; its lock path is not asked for.
    const r = isValidRepoName(name) ? await tryAcquireLock(repoLockPath(layout, name), { purpose: `gc cleanup of ${name}`, logger: log }) : undefined;
    if (r && 'heldBy' in r) continue; // a first sync of that repo is running
    try {
      await rm(join(layout.cacheDir, name), { recursive: true, force: true });
      log.debug(`removed the cache of ${name}, which is no repo`);
      removed++;
    } finally {
      await r?.release();
    }
  }
  return removed;
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
