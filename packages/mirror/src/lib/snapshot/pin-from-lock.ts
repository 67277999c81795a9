import { basename, resolve, isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCodes, OvirtRepoError, readRunLock, silentLogger, type Logger, type RunLockEntry, type Store } from '@ovirt-repo/core';
import { YUM_DIR, snapshotKey, snapshotUrl } from '../store/layout.js';
import { isSnapshotId, isValidRepoName } from '../store/names.js';
import { tryRefreshStatusPages } from '../status/write-status.js';
import { pinSnapshot, unpinSnapshot } from './pin-snapshot.js';

/** A store snapshot a lock names. */
export interface LockSnapshot {
  repo: string;
  id: string;
  /** Its URL under this store's base URL. */
  url: string;
  /** The lock entries (repo ids of the test's config) that used it. */
  lockRepos: string[];
  /** False when it already was in the requested state. */
  changed: boolean;
  reason?: string;
}

/** A lock entry that is not a snapshot of this store (another server, a plain upstream URL...). */
export interface SkippedLockEntry {
  repo: string;
  url: string;
  reason: string;
}

export interface PinFromLockResult {
  lock: string;
  pinned: LockSnapshot[];
  skipped: SkippedLockEntry[];
}

export interface UnpinFromLockResult {
  lock: string;
  unpinned: LockSnapshot[];
  skipped: SkippedLockEntry[];
}

export interface FromLockOptions {
  /** This store's base URL (as in all_latest.json): URLs below it are this store's for sure. */
  baseUrl: string;
  logger?: Logger;
}

interface Match {
  repo: string;
  id: string;
  lockRepos: string[];
  /** False only for URLs below this store's base URL (others that do not exist here are skipped). */
  exists: boolean;
}

interface Matched {
  matches: Match[];
  skipped: SkippedLockEntry[];
}

/**
 * Pin every snapshot of this store that a run's lock file names, so gc keeps what the run needs to be
 * repeated. An entry is this store's when its URL is `<base-url>/yum/<repo>/<id>`, or ends in
 * `/yum/<repo>/<id>` naming a snapshot that exists here (the store may be served under several names).
 * Entries of other servers are skipped. A snapshot below this store's base URL that does not exist is an
 * error (E_NOT_FOUND), raised before anything is pinned: the run cannot be reproduced any more.
 */
export async function pinFromLock(store: Store, lockPath: string, options: FromLockOptions & { reason?: string }): Promise<PinFromLockResult> {
  const log = options.logger ?? silentLogger;
  const lock = { ...(await readRunLock(lockPath)), path: resolve(lockPath) };
  const { matches, skipped } = await matchLockEntries(store, lock.entries, options.baseUrl);
  const missing = matches.filter((m) => !m.exists);
  if (missing.length) {
    const names = missing.map((m) => `${m.repo}/${m.id}`);
    throw new OvirtRepoError(ErrorCodes.NOT_FOUND, `${lock.path} names ${names.length === 1 ? 'a snapshot' : `${names.length} snapshots`} of store ${store.location} that ${names.length === 1 ? 'does' : 'do'} not exist: ${names.join(', ')}; nothing was pinned`, {
      target: lock.path,
      hint: 'they were removed (by gc) before being pinned, so that run can no longer be reproduced from this store; pin the lock right after the run, or check --store and --base-url',
      data: { missing: missing.map((m) => ({ repo: m.repo, id: m.id, url: snapshotUrl(options.baseUrl, m.repo, m.id), lockRepos: m.lockRepos })) },
    });
  }
  const defaultReason = `run lock ${basename(lock.path)}${lock.createdAt ? ` of ${lock.createdAt}` : ''}`;
  const pinned: LockSnapshot[] = [];
  for (const m of matches) {
    const r = await pinSnapshot(store, m.repo, m.id, { reason: options.reason, defaultReason, refreshStatus: false, logger: log });
    pinned.push({ repo: m.repo, id: m.id, url: snapshotUrl(options.baseUrl, m.repo, m.id), lockRepos: m.lockRepos, changed: r.changed, ...(r.pin?.reason ? { reason: r.pin.reason } : {}) });
  }
  if (pinned.some((p) => p.changed)) await tryRefreshStatusPages(store, log, `pinned the snapshots of ${lock.path}`);
  return { lock: lock.path, pinned, skipped };
}

/**
 * Unpin every snapshot of this store a lock names (the run no longer needs to be reproducible). Snapshots
 * that are already gone have nothing to unpin and are listed as skipped.
 */
export async function unpinFromLock(store: Store, lockPath: string, options: FromLockOptions): Promise<UnpinFromLockResult> {
  const log = options.logger ?? silentLogger;
  const lock = { ...(await readRunLock(lockPath)), path: resolve(lockPath) };
  const { matches, skipped } = await matchLockEntries(store, lock.entries, options.baseUrl);
  const unpinned: LockSnapshot[] = [];
  for (const m of matches) {
    const url = snapshotUrl(options.baseUrl, m.repo, m.id);
    const r = await unpinSnapshot(store, m.repo, m.id, { refreshStatus: false, logger: log });
    if (!m.exists && !r.changed) {
      skipped.push(...m.lockRepos.map((repo) => ({ repo, url, reason: `snapshot ${m.repo}/${m.id} is no longer in this store` })));
      continue;
    }
    unpinned.push({ repo: m.repo, id: m.id, url, lockRepos: m.lockRepos, changed: r.changed });
  }
  if (unpinned.some((p) => p.changed)) await tryRefreshStatusPages(store, log, `unpinned the snapshots of ${lock.path}`);
  return { lock: lock.path, unpinned, skipped };
}

/** Which lock entries are snapshots of this store (deduplicated; in lock order). */
export async function matchLockEntries(store: Store, entries: readonly RunLockEntry[], baseUrl: string): Promise<Matched> {
  const base = parseUrl(baseUrl.replace(/\/+$/, ''));
  const basePath = base?.pathname.replace(/\/+$/, '') ?? '';
  const byKey = new Map<string, Match>();
  const skipped: SkippedLockEntry[] = [];
  for (const entry of entries) {
    const skip = (reason: string) => skipped.push({ repo: entry.repo, url: entry.url, reason });
    const url = parseUrl(entry.url.trim());
    if (!url) {
      skip('not a URL');
      continue;
    }
    const path = url.pathname.replace(/\/+$/, '');
    const underBase = base !== undefined && url.protocol === base.protocol && url.host === base.host && path.startsWith(`${basePath}/${YUM_DIR}/`);
    // `<base-url>/yum/<repo>/<id>` exactly, or any URL ending in /yum/<repo>/<id>.
    const tail = (underBase ? path.slice(basePath.length) : path).split('/').slice(underBase ? 1 : -3);
    const [yum, rawRepo, id, ...extra] = tail;
    const repo = rawRepo === undefined ? undefined : safeDecode(rawRepo);
    if (yum !== YUM_DIR || repo === undefined || !isValidRepoName(repo) || id === undefined || !isSnapshotId(id) || extra.length > 0) {
      skip(underBase ? `below this store's base URL but not a snapshot URL (${baseUrl}/${YUM_DIR}/<repo>/<id>)` : 'not a snapshot URL (<base-url>/yum/<repo>/<id>)');
      continue;
    }
    const exists = (await store.stat(snapshotKey(repo, id)))?.type === 'prefix';
    if (!underBase && !exists) {
      skip(`not a snapshot of this store: it has no ${repo}/${id}, and the URL is not below the store's base URL ${baseUrl}`);
      continue;
    }
    const key = `${repo}/${id}`;
    const known = byKey.get(key);
    if (known) {
      if (!known.lockRepos.includes(entry.repo)) known.lockRepos.push(entry.repo);
    } else {
      byKey.set(key, { repo, id, lockRepos: [entry.repo], exists });
    }
  }
  return { matches: [...byKey.values()], skipped };
}

/** A URL, or a local path as its file:// URL (a store used without a web server). */
function parseUrl(s: string): URL | undefined {
  if (isAbsolute(s)) return pathToFileURL(s);
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
