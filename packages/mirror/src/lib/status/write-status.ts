import { silentLogger, type Logger, type Store } from '@ovirt-repo/core';
import { INDEX_LOCK, withStoreLock } from '../lock/store-locks.js';
import { STATUS_PAGE, YUM_DIR, repoStatusPageKey } from '../store/layout.js';
import { collectStatus } from './collect-status.js';
import { renderRepoPage, renderStorePage } from './render-status.js';

export interface StatusPagesResult {
  /** Where the pages are (paths of a directory store). */
  files: string[];
  /** Pages whose content changed (the others were already up to date and were not touched). */
  changed: string[];
}

/** Leftover temp files of a killed index writer are removed once they are this old. */
const LEFTOVER_AGE_MS = 3_600_000;

/**
 * Write `index.html` and every `yum/<repo>/index.html` from the current store state. The caller holds the
 * index lock (writeIndex does). Each page is replaced atomically and only when its content changed.
 */
export async function writeStatusPages(store: Store): Promise<StatusPagesResult> {
  const status = await collectStatus(store, { keepSummaries: true });
  const pages: [string, string][] = [[STATUS_PAGE, renderStorePage(status)]];
  for (const repo of status.repos) pages.push([repoStatusPageKey(repo.name), renderRepoPage(repo)]);
  const files: string[] = [];
  const changed: string[] = [];
  for (const [key, body] of pages) {
    files.push(store.locationOf(key));
    if (await replaceIfChanged(store, key, body)) changed.push(store.locationOf(key));
  }
  // Temp files of index writers killed mid-write (only ever written under the index lock, which we hold).
  for (const prefix of ['', YUM_DIR]) await store.removeLeftovers(prefix, { olderThanMs: LEFTOVER_AGE_MS });
  return { files, changed };
}

/**
 * Replace the object at `key` with `body` unless it holds that already; true when it was written. For the
 * index files and status pages, written under the index lock: a conflict means a writer bypassed it.
 */
export async function replaceIfChanged(store: Store, key: string, body: string): Promise<boolean> {
  const old = await store.read(key);
  if (old?.data.toString('utf8') === body) return false;
  await store.replace(key, body, old?.version ?? null);
  return true;
}

/**
 * Rewrite the status pages under the index lock: after pin, unpin and gc, which change what the pages show
 * without moving any latest pointer (so all_latest.* stay as they are).
 */
export async function refreshStatusPages(store: Store, options: { logger?: Logger; lockTimeoutMs?: number } = {}): Promise<StatusPagesResult> {
  const log = options.logger ?? silentLogger;
  return withStoreLock(store, INDEX_LOCK, { purpose: 'status page', timeoutMs: options.lockTimeoutMs ?? 120_000, outlastDeadHolder: options.lockTimeoutMs === undefined, staleAfterMs: 120_000, logger: log }, () => writeStatusPages(store));
}

/**
 * refreshStatusPages for commands whose own change already happened (pin, unpin, gc): a page that cannot be
 * rewritten is worth a warning, not a failure of the command.
 */
export async function tryRefreshStatusPages(store: Store, log: Logger, after: string): Promise<boolean> {
  try {
    await refreshStatusPages(store, { logger: log });
    return true;
  } catch (e) {
    log.warn(`${after}: the status page could not be rewritten (${(e as Error).message}); \`ovirt-repo index write\` rewrites it`);
    return false;
  }
}
