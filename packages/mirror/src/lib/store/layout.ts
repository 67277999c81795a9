import { resolve, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCodes, OvirtRepoError } from '@ovirt-repo/core';
import { fileNameProblem, validateFileName } from './names.js';

/**
 * Where everything lives in a store. This layout is a contract: the index, the OST plugin, the publisher
 * and plain web servers depend on it.
 *
 *   <store>/store.json                          marker: this directory is an ovirt-repo store
 *   <store>/pool/<dd>/<digest>/<file>.rpm       every package once, content-addressed, original name
 *   <store>/yum/<repo>/<id>/repodata/...        a snapshot: a YUM baseurl that never changes
 *   <store>/yum/<repo>/<id>/pool -> ../../../pool
 *   <store>/yum/<repo>/<id>/snapshot.json       what the snapshot holds and where it came from
 *   <store>/yum/<repo>/<id>/summary.json        small: package count and changes versus its predecessor
 *   <store>/yum/<repo>/index.html               the repo's status page (full snapshot history)
 *   <store>/yum/<repo>/latest.txt               the latest snapshot id (replaced atomically)
 *   <store>/yum/<repo>/pins/<id>.json           pinned snapshots (gc keeps them)
 *   <store>/yum/all_latest.{json,yaml,py,html}  the index of every repo's latest snapshot URL
 *   <store>/index.html                          the store's status page (every repo, recent history)
 *   <store>/locks/                              writer locks and running-sync registrations (not served)
 *   <store>/cache/<repo>/                       what speeds up the next sync and index write: the latest
 *                                               snapshot's metadata chunks decompressed (metadata/), its
 *                                               record's line starts and sorted hrefs (record/), every
 *                                               snapshot's summary (summaries.json); may be deleted (not served)
 */
export interface StoreLayout {
  root: string;
  marker: string;
  poolDir: string;
  yumDir: string;
  locksDir: string;
  cacheDir: string;
}

export const STORE_MARKER = 'store.json';
export const POOL_DIR = 'pool';
export const YUM_DIR = 'yum';
export const LOCKS_DIR = 'locks';
export const CACHE_DIR = 'cache';
export const LATEST_FILE = 'latest.txt';
export const SNAPSHOT_RECORD = 'snapshot.json';
/** Written beside snapshot.json when a snapshot is made, so status pages never re-read package lists. */
export const SNAPSHOT_SUMMARY = 'summary.json';
/** Where the chunks of a snapshot's gz metadata are, so the next snapshot copies those it shares. */
export const SNAPSHOT_CHUNKS = 'metadata-chunks.json';
/** The status pages: `<store>/index.html` and `<store>/yum/<repo>/index.html`. */
export const STATUS_PAGE = 'index.html';
export const PINS_DIR = 'pins';
export const INDEX_BASENAME = 'all_latest';
/** The symlink inside every snapshot, pointing at the store's pool. */
export const SNAPSHOT_POOL_LINK = 'pool';
export const SNAPSHOT_POOL_TARGET = '../../../pool';

export function storeLayout(root: string): StoreLayout {
  const r = resolve(root);
  return {
    root: r,
    marker: join(r, STORE_MARKER),
    poolDir: join(r, POOL_DIR),
    yumDir: join(r, YUM_DIR),
    locksDir: join(r, LOCKS_DIR),
    cacheDir: join(r, CACHE_DIR),
  };
}

export const repoDir = (s: StoreLayout, repo: string) => join(s.yumDir, repo);
export const snapshotDir = (s: StoreLayout, repo: string, id: string) => join(s.yumDir, repo, id);
export const latestFile = (s: StoreLayout, repo: string) => join(s.yumDir, repo, LATEST_FILE);
/** The caches of a repo (what each holds: sync/metadata-thread.ts, store/record-cache.ts, status/summary-cache.ts). */
export const metadataCacheDir = (s: StoreLayout, repo: string) => join(s.cacheDir, repo, 'metadata');
export const recordCacheDir = (s: StoreLayout, repo: string) => join(s.cacheDir, repo, 'record');
export const summariesCacheFile = (s: StoreLayout, repo: string) => join(s.cacheDir, repo, 'summaries.json');
export const pinsDir = (s: StoreLayout, repo: string) => join(s.yumDir, repo, PINS_DIR);
export const indexFile = (s: StoreLayout, ext: string) => join(s.yumDir, `${INDEX_BASENAME}.${ext}`);
export const storeStatusPage = (s: StoreLayout) => join(s.root, STATUS_PAGE);
export const repoStatusPage = (s: StoreLayout, repo: string) => join(s.yumDir, repo, STATUS_PAGE);

/**
 * A package's href inside a snapshot (and its path relative to the store root): `pool/<dd>/<digest>/<name>`.
 * `digest` must already be validated hex (validateDigest); `name` is checked here.
 */
export function poolHref(digest: string, name: string): string {
  validateFileName(name, `pool entry ${digest}`, '.rpm');
  return `${POOL_DIR}/${digest.slice(0, 2)}/${digest}/${name}`;
}

export const poolEntryDir = (s: StoreLayout, digest: string) => join(s.poolDir, digest.slice(0, 2), digest);
// Concatenated, not path.join()ed: this runs for every package of every sync, and poolHref's parts are validated.
export const poolFile = (s: StoreLayout, digest: string, name: string) => `${s.root}/${poolHref(digest, name)}`;

/** Parse `pool/<dd>/<digest>/<name>` back; undefined for anything else (foreign hrefs). */
export function parsePoolHref(href: string): { digest: string; name: string } | undefined {
  const m = /^pool\/([0-9a-f]{2})\/([0-9a-f]{32,128})\/([^/]+)$/.exec(href);
  const [, dd, digest, name] = m ?? [];
  if (!dd || !digest || !name || !digest.startsWith(dd) || fileNameProblem(name, '.rpm')) return undefined;
  return { digest, name };
}

/** The store's URL for index files when no --base-url is given: file:///path/to/store. */
export function defaultBaseUrl(s: StoreLayout): string {
  return pathToFileURL(s.root).href.replace(/\/+$/, '');
}

/** `<base-url>/yum/<repo>/<id>`: the baseurl clients put in their .repo files. */
export function snapshotUrl(baseUrl: string, repo: string, id: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${YUM_DIR}/${encodeURIComponent(repo)}/${id}`;
}

/** The store path from --store / OVIRT_REPO_STORE (oclif folds the env var into the flag). */
export function requireStorePath(store: string | undefined): string {
  if (!store) {
    throw new OvirtRepoError(ErrorCodes.USAGE, 'no store given', {
      hint: 'pass --store PATH or set OVIRT_REPO_STORE to the directory that holds (or will hold) yum/ and pool/',
    });
  }
  return resolve(store);
}
