import { pathToFileURL } from 'node:url';
import { ErrorCodes, OvirtRepoError, isLocalFilesCapable, type Store } from '@ovirt-repo/core';
import { fileNameProblem, validateFileName } from './names.js';

/**
 * Where everything lives in a store, as keys of the Store it is kept in (core's store interface; on a
 * directory store a key is a path below the store's directory). This layout is a contract: the index, the
 * OST plugin, the publisher and plain web servers depend on it.
 *
 *   store.json                          marker: this is an ovirt-repo store
 *   pool/<dd>/<digest>/<file>.rpm       every package once, content-addressed, original name
 *   yum/<repo>/<id>/repodata/...        a snapshot: a YUM baseurl that never changes
 *   yum/<repo>/<id>/pool -> ../../../pool
 *   yum/<repo>/<id>/snapshot.json       what the snapshot holds and where it came from
 *   yum/<repo>/<id>/summary.json        small: package count and changes versus its predecessor
 *   yum/<repo>/<id>/RPM-GPG-KEY         a signed snapshot's public key (its signature: repodata/repomd.xml.asc)
 *   yum/<repo>/index.html               the repo's status page (full snapshot history)
 *   yum/<repo>/latest.txt               the latest snapshot id (replaced atomically; may lag the history
 *                                       by a step, see history.ts)
 *   yum/<repo>/history/<parent>.json    create-only commit records: the snapshot made on <parent>
 *                                       (root.json: the repo's first); see history.ts
 *   yum/<repo>/pins/<id>.json           pinned snapshots (gc keeps them)
 *   yum/<repo>@pending.json             a repo delete or rename under way (store/pending.ts): the repo is
 *                                       hidden from listings until the command (or its rerun) finishes
 *   yum/all_latest.{json,yaml,py,html}  the index of every repo's latest snapshot URL
 *   index.html                          the store's status page (every repo, recent history)
 *   locks/                              writer locks and running-sync registrations (not served)
 *   cache/<repo>/                       what speeds up the next sync and index write: the latest
 *                                       snapshot's metadata chunks decompressed (metadata/; a store that
 *                                       is not a directory here keeps it on each host, see
 *                                       sync/shared/local-dirs.ts) and every snapshot's summary
 *                                       (summaries.json); may be deleted (not served)
 */
export const STORE_MARKER = 'store.json';
export const POOL_DIR = 'pool';
export const YUM_DIR = 'yum';
export const LOCKS_DIR = 'locks';
export const CACHE_DIR = 'cache';
export const LATEST_FILE = 'latest.txt';
export const SNAPSHOT_RECORD = 'snapshot.json';
/** Written beside snapshot.json when a snapshot is made, so status pages never re-read package lists. */
export const SNAPSHOT_SUMMARY = 'summary.json';
/** The status pages: `index.html` and `yum/<repo>/index.html`. */
export const STATUS_PAGE = 'index.html';
export const PINS_DIR = 'pins';
export const HISTORY_DIR = 'history';
/** The history record of a repo's first snapshot (no parent): a name no snapshot id can have. */
export const HISTORY_ROOT = 'root';
export const INDEX_BASENAME = 'all_latest';
/** A signed snapshot's signature of its repomd.xml, and the public key it verifies against (docs/trust.md). */
export const SNAPSHOT_REPOMD_SIGNATURE = 'repodata/repomd.xml.asc';
export const SNAPSHOT_PUBLIC_KEY = 'RPM-GPG-KEY';
/** The symlink inside every snapshot, pointing at the store's pool. */
export const SNAPSHOT_POOL_LINK = 'pool';
export const SNAPSHOT_POOL_TARGET = '../../../pool';

export const repoKey = (repo: string) => `${YUM_DIR}/${repo}`;
export const snapshotKey = (repo: string, id: string) => `${YUM_DIR}/${repo}/${id}`;
export const latestKey = (repo: string) => `${YUM_DIR}/${repo}/${LATEST_FILE}`;
export const pinsKey = (repo: string) => `${YUM_DIR}/${repo}/${PINS_DIR}`;
export const pinKey = (repo: string, id: string) => `${YUM_DIR}/${repo}/${PINS_DIR}/${id}.json`;
/** The marker of a repo delete or rename under way ('@' is in no repo name, so it never meets a repo). */
export const PENDING_SUFFIX = '@pending.json';
export const pendingKey = (repo: string) => `${YUM_DIR}/${repo}${PENDING_SUFFIX}`;
export const historyDirKey = (repo: string) => `${YUM_DIR}/${repo}/${HISTORY_DIR}`;
/** The commit record of the snapshot made on `parent` (undefined: the repo's first). */
export const historyKey = (repo: string, parent: string | undefined) => `${YUM_DIR}/${repo}/${HISTORY_DIR}/${parent ?? HISTORY_ROOT}.json`;
export const indexKey = (ext: string) => `${YUM_DIR}/${INDEX_BASENAME}.${ext}`;
export const repoStatusPageKey = (repo: string) => `${YUM_DIR}/${repo}/${STATUS_PAGE}`;
/** The caches of a repo (what each holds: core's repodata/open-cache.ts, status/summary-cache.ts). */
export const cacheKey = (repo: string) => `${CACHE_DIR}/${repo}`;
export const summariesCacheKey = (repo: string) => `${CACHE_DIR}/${repo}/summaries.json`;
/** What a repo's cache holds; gc removes anything else there (the caches of older versions, such as record/). */
export const CACHE_PARTS: readonly string[] = ['metadata', 'summaries.json'];

/* Paths on this machine: only a store that is a directory here (LocalFilesCapable) has them. */

/** The file or directory of `key` on this machine; E_STORE for a store that is not a local directory. */
export function localPathOf(store: Store, key: string): string {
  if (isLocalFilesCapable(store)) return store.localPath(key);
  throw new OvirtRepoError(ErrorCodes.STORE, `${store.location} is not a directory on this machine, which this operation needs`, {
    target: store.location,
    hint: 'use a store that is a local directory',
  });
}

/**
 * A package's href inside a snapshot (and its path relative to the store root): `pool/<dd>/<digest>/<name>`.
 * `digest` must already be validated hex (validateDigest); `name` is checked here.
 */
export function poolHref(digest: string, name: string): string {
  validateFileName(name, `pool entry ${digest}`, '.rpm');
  return `${POOL_DIR}/${digest.slice(0, 2)}/${digest}/${name}`;
}

/** A pool file on this machine (see localPathOf). */
export const poolFile = (s: Store, digest: string, name: string) => localPathOf(s, poolHref(digest, name));

/** Parse `pool/<dd>/<digest>/<name>` back; undefined for anything else (foreign hrefs). */
export function parsePoolHref(href: string): { digest: string; name: string } | undefined {
  const m = /^pool\/([0-9a-f]{2})\/([0-9a-f]{32,128})\/([^/]+)$/.exec(href);
  const [, dd, digest, name] = m ?? [];
  if (!dd || !digest || !name || !digest.startsWith(dd) || fileNameProblem(name, '.rpm')) return undefined;
  return { digest, name };
}

/** The store's URL for index files when no --base-url is given: file:///path/to/store (local stores only). */
export function defaultBaseUrl(s: Store): string {
  const own = ownBaseUrl(s);
  if (own === undefined) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `store ${s.location} has no default base URL, which the index (yum/all_latest.*) and the snapshot URLs this command writes need: only a local directory store has one (its file:// URL)`, {
      target: s.location,
      hint: 'pass the URL readers reach the store at: --base-url https://repos.example.org/ci (or OVIRT_REPO_BASE_URL, or baseUrl: in ovirt-repo.yaml)',
    });
  }
  return own;
}

/** The store's own base URL, its file:// URL, when it is a local directory; undefined for other stores. */
export function ownBaseUrl(s: Store): string | undefined {
  return isLocalFilesCapable(s) ? pathToFileURL(s.localPath('')).href.replace(/\/+$/, '') : undefined;
}

/** `<base-url>/yum/<repo>/<id>`: the baseurl clients put in their .repo files. */
export function snapshotUrl(baseUrl: string, repo: string, id: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${YUM_DIR}/${encodeURIComponent(repo)}/${id}`;
}
