import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, OvirtRepoError, ioError, isTempName } from '@ovirt-repo/core';
import { CACHE_DIR, LOCKS_DIR, POOL_DIR, STORE_MARKER, YUM_DIR } from '../layout.js';

/** How many entries of a refused directory an error names. */
const SHOWN_ENTRIES = 5;
const SKELETON = new Set([POOL_DIR, YUM_DIR, LOCKS_DIR, CACHE_DIR]);

/**
 * May the existing directory `root` hold a store? Yes when it is one (it has the store.json marker), or
 * holds nothing but what a first sync killed while making the store leaves: the marker's temp file, and
 * (earlier versions made the skeleton before the marker) empty pool/, yum/, locks/ or cache/. `lost+found`
 * is allowed too, so the root of a freshly made filesystem can be a store. Anything else (a web root, an
 * old mirror tree, a hidden file) is refused with E_STORE naming a few of the entries, before anything is
 * written there.
 */
export async function claimDirectory(root: string): Promise<void> {
  const entries = await list(root);
  if (entries.some((e) => e.name === STORE_MARKER)) return;
  const foreign: string[] = [];
  for (const e of entries) {
    if (isTempName(e.name) && e.name.startsWith(`.${STORE_MARKER}.`)) continue;
    if (e.isDirectory() && (e.name === 'lost+found' || (SKELETON.has(e.name) && (await list(join(root, e.name))).length === 0))) continue;
    foreign.push(e.isDirectory() ? `${e.name}/` : e.name);
  }
  if (foreign.length === 0) return;
  foreign.sort();
  const shown = foreign.slice(0, SHOWN_ENTRIES).join(', ');
  const more = foreign.length > SHOWN_ENTRIES ? ` and ${foreign.length - SHOWN_ENTRIES} more` : '';
  throw new OvirtRepoError(ErrorCodes.STORE, `${root} is not empty and is not an ovirt-repo store (no ${STORE_MARKER}): it holds ${shown}${more}`, {
    target: root,
    hint: 'a store is created only in an empty or missing directory: give --store (or OVIRT_REPO_STORE, `store:` in ovirt-repo.yaml) a new directory such as /var/www/html/repos, or the directory of an existing store (the one with store.json)',
    data: { entries: foreign.slice(0, SHOWN_ENTRIES), count: foreign.length },
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
