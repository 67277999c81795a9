import type { Dirent } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, OvirtRepoError, ioError, isTempName } from '@ovirt-repo/core';
import { CACHE_DIR, LOCKS_DIR, POOL_DIR, STORE_MARKER, YUM_DIR, type StoreLayout } from './layout.js';
import { isValidRepoName } from './names.js';

/** How many entries of a refused directory an error names. */
const SHOWN_ENTRIES = 5;

/**
 * May a new store be made in `layout.root` (an existing directory)? Yes when it holds nothing but what a
 * first sync killed while making the store leaves: the marker's temp file, and (earlier versions made the
 * skeleton before the marker) empty pool/, yum/, locks/ or cache/. `lost+found` is allowed too, so the root
 * of a freshly made filesystem can be a store. False when the marker appeared (another first writer made
 * the store meanwhile). Anything else is refused with E_STORE naming a few of the entries.
 */
export async function claimForStore(layout: StoreLayout): Promise<boolean> {
  const entries = await list(layout.root);
  if (entries.some((e) => e.name === STORE_MARKER)) return false;
  const foreign: string[] = [];
  for (const e of entries) {
    if (isTempName(e.name) && e.name.startsWith(`.${STORE_MARKER}.`)) continue;
    if (e.isDirectory() && (e.name === 'lost+found' || (SKELETON.has(e.name) && (await list(join(layout.root, e.name))).length === 0))) continue;
    foreign.push(e.isDirectory() ? `${e.name}/` : e.name);
  }
  if (foreign.length === 0) return true;
  foreign.sort();
  const shown = foreign.slice(0, SHOWN_ENTRIES).join(', ');
  const more = foreign.length > SHOWN_ENTRIES ? ` and ${foreign.length - SHOWN_ENTRIES} more` : '';
  throw new OvirtRepoError(ErrorCodes.STORE, `${layout.root} is not empty and is not an ovirt-repo store (no ${STORE_MARKER}): it holds ${shown}${more}`, {
    target: layout.root,
    hint: 'a store is created only in an empty or missing directory: give --store (or OVIRT_REPO_STORE, `store:` in ovirt-repo.yaml) a new directory such as /var/www/html/repos, or the directory of an existing store (the one with store.json)',
    data: { entries: foreign.slice(0, SHOWN_ENTRIES), count: foreign.length },
  });
}

const SKELETON = new Set([POOL_DIR, YUM_DIR, LOCKS_DIR, CACHE_DIR]);

/**
 * Refuse a store whose parts lead out of it. gc deletes below pool/, yum/<repo>/ and cache/, and a sync
 * writes there: through a symlink to another store's pool, this store's gc would delete the packages only
 * the other store's snapshots use (and the other's gc this one's). So pool/, yum/, locks/, cache/ and every
 * repo directory must be real directories of this store (a mount point is fine: it is a directory).
 */
export async function assertOwnParts(layout: StoreLayout): Promise<void> {
  for (const part of [layout.poolDir, layout.yumDir, layout.locksDir, layout.cacheDir]) await assertOwnDirectory(layout, part);
  for (const e of await list(layout.yumDir)) {
    if (e.isSymbolicLink() && isValidRepoName(e.name)) await assertOwnDirectory(layout, join(layout.yumDir, e.name));
  }
}

async function assertOwnDirectory(layout: StoreLayout, path: string): Promise<void> {
  let st;
  try {
    st = await lstat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw ioError('inspect', path, e);
  }
  if (st.isDirectory()) return;
  const what = st.isSymbolicLink() ? `a symbolic link to ${await readlink(path).catch(() => '?')}` : 'not a directory';
  throw new OvirtRepoError(ErrorCodes.STORE, `${path} is ${what}: the parts of store ${layout.root} must be its own directories, so that gc and sync never act on files outside it`, {
    target: path,
    hint: 'replace it with a directory of this store (move the files in). To keep the pool on another disk, mount that disk at the pool directory, or put the whole store there and point --store at it',
  });
}

/** A directory's entries; none when it is missing. */
async function list(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw ioError('list', dir, e);
  }
}
