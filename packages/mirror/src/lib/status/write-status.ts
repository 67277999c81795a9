import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isTempName, silentLogger, withLock, writeFileAtomic, type Logger } from '@ovirt-repo/core';
import { indexLockPath } from '../lock/store-locks.js';
import { repoStatusPage, storeStatusPage, type StoreLayout } from '../store/layout.js';
import { collectStatus } from './collect-status.js';
import { renderRepoPage, renderStorePage } from './render-status.js';

export interface StatusPagesResult {
  files: string[];
  /** Pages whose content changed (the others were already up to date and were not touched). */
  changed: string[];
}

/** Leftover temp files of a killed index writer are removed once they are this old. */
const LEFTOVER_AGE_MS = 3_600_000;

/**
 * Write `<store>/index.html` and every `<store>/yum/<repo>/index.html` from the current store state. The
 * caller holds the index lock (writeIndex does). Each page is replaced atomically and only when its content
 * changed.
 */
export async function writeStatusPages(layout: StoreLayout): Promise<StatusPagesResult> {
  const status = await collectStatus(layout, { keepSummaries: true });
  const pages: [string, string, string][] = [[storeStatusPage(layout), layout.root, renderStorePage(status)]];
  // A repo page's temp file is made in yum/, not in the repo directory: a writer of the repo removes temp
  // names it finds there (leftovers of killed syncs) without taking the index lock.
  for (const repo of status.repos) pages.push([repoStatusPage(layout, repo.name), layout.yumDir, renderRepoPage(repo)]);
  const files: string[] = [];
  const changed: string[] = [];
  for (const [path, tempDir, body] of pages) {
    files.push(path);
    const old = await readFile(path, 'utf8').catch(() => undefined);
    if (old === body) continue;
    await writeFileAtomic(path, body, { tempDir });
    changed.push(path);
  }
  await removeLeftovers([layout.root, layout.yumDir]);
  return { files, changed };
}

/**
 * Rewrite the status pages under the index lock: after pin, unpin and gc, which change what the pages show
 * without moving any latest pointer (so all_latest.* stay as they are).
 */
export async function refreshStatusPages(layout: StoreLayout, options: { logger?: Logger; lockTimeoutMs?: number } = {}): Promise<StatusPagesResult> {
  const log = options.logger ?? silentLogger;
  return withLock(indexLockPath(layout), { purpose: 'status page', timeoutMs: options.lockTimeoutMs ?? 120_000, staleAfterMs: 120_000, logger: log }, () => writeStatusPages(layout));
}

/** Temp files of index writers killed mid-write (only ever written under the index lock, which we hold). */
async function removeLeftovers(dirs: string[]): Promise<void> {
  const now = Date.now();
  for (const dir of dirs) {
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (!isTempName(name)) continue;
      const st = await stat(join(dir, name)).catch(() => undefined);
      if (st?.isFile() && now - st.mtimeMs > LEFTOVER_AGE_MS) await rm(join(dir, name), { force: true });
    }
  }
}

/**
 * refreshStatusPages for commands whose own change already happened (pin, unpin, gc): a page that cannot be
 * rewritten is worth a warning, not a failure of the command.
 */
export async function tryRefreshStatusPages(layout: StoreLayout, log: Logger, after: string): Promise<boolean> {
  try {
    await refreshStatusPages(layout, { logger: log });
    return true;
  } catch (e) {
    log.warn(`${after}: the status page could not be rewritten (${(e as Error).message}); \`ovirt-repo index write\` rewrites it`);
    return false;
  }
}
