import { readFile } from 'node:fs/promises';
import { silentLogger, withLock, writeFileAtomic, type Logger } from '@ovirt-repo/core';
import { indexLockPath } from '../lock/store-locks.js';
import { defaultBaseUrl, indexFile, snapshotUrl, type StoreLayout } from '../store/layout.js';
import { listRepos, readLatest } from '../store/repo-state.js';
import { assertOwnParts } from '../store/store-parts.js';
import { writeStatusPages } from '../status/write-status.js';
import { DEFAULT_INDEX_VARIABLE, INDEX_FORMATS, renderIndex } from './formats.js';

export interface WriteIndexOptions {
  baseUrl?: string;
  variable?: string;
  logger?: Logger;
  lockTimeoutMs?: number;
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
 * Rewrite `<store>/yum/all_latest.{json,yaml,py,html}` from every repo's latest.txt, and the status pages,
 * under the index lock. Each file is replaced atomically, so mirror_client never reads a half-written index;
 * files whose content is unchanged are left alone. Never through a store part that leads out of the store.
 */
export async function writeIndex(layout: StoreLayout, options: WriteIndexOptions = {}): Promise<WriteIndexResult> {
  const log = options.logger ?? silentLogger;
  const baseUrl = (options.baseUrl ?? defaultBaseUrl(layout)).replace(/\/+$/, '');
  const variable = options.variable ?? DEFAULT_INDEX_VARIABLE;
  await assertOwnParts(layout);
  return withLock(indexLockPath(layout), { purpose: 'index write', timeoutMs: options.lockTimeoutMs ?? 120_000, staleAfterMs: 120_000, logger: log }, async () => {
    const entries: [string, string][] = [];
    for (const repo of await listRepos(layout)) {
      const id = await readLatest(layout, repo);
      if (id) entries.push([repo, snapshotUrl(baseUrl, repo, id)]);
    }
    const files: string[] = [];
    const changed: string[] = [];
    for (const format of INDEX_FORMATS) {
      const path = indexFile(layout, format);
      const body = renderIndex(format, entries, variable);
      files.push(path);
      const old = await readFile(path, 'utf8').catch(() => undefined);
      if (old === body) continue;
      await writeFileAtomic(path, body);
      changed.push(path);
    }
    const pages = await writeStatusPages(layout);
    files.push(...pages.files);
    changed.push(...pages.changed);
    log.debug(`index: ${entries.length} repos, ${changed.length} files rewritten`);
    return { baseUrl, repos: Object.fromEntries(entries), files, changed };
  });
}

/** The URL the index currently gives for `repo` (from all_latest.json), to notice a stale index cheaply. */
export async function indexedUrl(layout: StoreLayout, repo: string, variable = DEFAULT_INDEX_VARIABLE): Promise<string | undefined> {
  try {
    const j = JSON.parse(await readFile(indexFile(layout, 'json'), 'utf8')) as Record<string, Record<string, string>>;
    return j[variable]?.[repo];
  } catch {
    return undefined;
  }
}
