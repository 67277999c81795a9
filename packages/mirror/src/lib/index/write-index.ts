import { silentLogger, type Logger, type Store } from '@ovirt-repo/core';
import { INDEX_LOCK, withStoreLock } from '../lock/store-locks.js';
import { defaultBaseUrl, indexKey, snapshotUrl } from '../store/layout.js';
import { listRepos, readLatest } from '../store/repo-state.js';
import { assertOwnParts } from '../store/store-parts.js';
import { replaceIfChanged, writeStatusPages } from '../status/write-status.js';
import { DEFAULT_INDEX_VARIABLE, INDEX_FORMATS, renderIndex } from './formats.js';

export interface WriteIndexOptions {
  baseUrl?: string;
  variable?: string;
  logger?: Logger;
  lockTimeoutMs?: number;
  /** When a holder of the index lock that stopped renewing it is taken as dead (default 2 min). */
  staleAfterMs?: number;
}

export interface WriteIndexResult {
  baseUrl: string;
  /** repo -> URL of its latest snapshot. */
  repos: Record<string, string>;
  /** all_latest.* and the status pages (`<store>/index.html`, `yum/<repo>/index.html`). */
  files: string[];
  /** Files whose content changed (the others were already up to date). */
  changed: string[];
}

/**
 * Rewrite `yum/all_latest.{json,yaml,py,html}` from every repo's latest.txt, and the status pages,
 * under the index lock. Each file is replaced atomically, so mirror_client never reads a half-written index;
 * files whose content is unchanged are left alone. Never through a store part that leads out of the store.
 */
export async function writeIndex(store: Store, options: WriteIndexOptions = {}): Promise<WriteIndexResult> {
  const log = options.logger ?? silentLogger;
  const baseUrl = (options.baseUrl ?? defaultBaseUrl(store)).replace(/\/+$/, '');
  const variable = options.variable ?? DEFAULT_INDEX_VARIABLE;
  await assertOwnParts(store);
  return withStoreLock(store, INDEX_LOCK, { purpose: 'index write', timeoutMs: options.lockTimeoutMs ?? 120_000, outlastDeadHolder: options.lockTimeoutMs === undefined, staleAfterMs: options.staleAfterMs ?? 120_000, logger: log }, async () => {
    const entries: [string, string][] = [];
    for (const repo of await listRepos(store)) {
      const id = await readLatest(store, repo);
      if (id) entries.push([repo, snapshotUrl(baseUrl, repo, id)]);
    }
    const files: string[] = [];
    const changed: string[] = [];
    for (const format of INDEX_FORMATS) {
      const key = indexKey(format);
      files.push(store.locationOf(key));
      if (await replaceIfChanged(store, key, renderIndex(format, entries, variable))) changed.push(store.locationOf(key));
    }
    const pages = await writeStatusPages(store);
    files.push(...pages.files);
    changed.push(...pages.changed);
    log.debug(`index: ${entries.length} repos, ${changed.length} files rewritten`);
    return { baseUrl, repos: Object.fromEntries(entries), files, changed };
  });
}

/** The URL the index currently gives for `repo` (from all_latest.json), to notice a stale index cheaply. */
export async function indexedUrl(store: Store, repo: string, variable = DEFAULT_INDEX_VARIABLE): Promise<string | undefined> {
  try {
    const j = JSON.parse((await store.read(indexKey('json')))?.data.toString('utf8') ?? '') as Record<string, Record<string, string>>;
    return j[variable]?.[repo];
  } catch {
    return undefined;
  }
}
