import { readFile } from 'node:fs/promises';
import { ErrorCodes, OvirtRepoError, ioError, makeDirectory, writeFileAtomic } from '@ovirt-repo/core';
import { storeLayout, type StoreLayout } from './layout.js';
import { assertOwnParts, claimForStore } from './store-parts.js';

export const STORE_FORMAT = 'ovirt-repo-store';
export const STORE_VERSION = 1;

export interface StoreMarker {
  format: typeof STORE_FORMAT;
  version: number;
  createdAt: string;
}

/**
 * Open the store at `root`. Readers, gc and `index write` require the store.json marker, so a typo in
 * --store can never make gc delete files in a directory that is not a store. Writers (`create: true`,
 * mirror sync) also make a new store, but only in a missing or empty directory: never in one that holds
 * anything else (a web root, an old mirror tree). The marker is written first, so a first sync killed at
 * any moment leaves either an empty directory or a store, and the next sync goes on from there. Writers
 * also refuse a store whose parts lead out of it (store-parts.ts).
 */
export async function openStore(root: string, options: { create?: boolean } = {}): Promise<StoreLayout> {
  const layout = storeLayout(root);
  if (!(await readMarker(layout))) {
    if (!options.create) {
      throw new OvirtRepoError(ErrorCodes.STORE, `${layout.root} is not an ovirt-repo store (no ${layout.marker})`, {
        target: layout.root,
        hint: 'check --store / OVIRT_REPO_STORE; a store is created by the first `ovirt-repo mirror sync` into an empty or missing directory',
      });
    }
    await makeDirectory(layout.root);
    // claimForStore says no when another first writer's marker appeared meanwhile: that store is ours too.
    if (await claimForStore(layout)) {
      const m: StoreMarker = { format: STORE_FORMAT, version: STORE_VERSION, createdAt: new Date().toISOString() };
      await writeFileAtomic(layout.marker, `${JSON.stringify(m, null, 2)}\n`);
    } else if (!(await readMarker(layout))) {
      throw ioError('read store marker', layout.marker, new Error('it vanished while the store was being created'));
    }
  }
  if (options.create) {
    await assertOwnParts(layout);
    for (const dir of [layout.poolDir, layout.yumDir, layout.locksDir]) await makeDirectory(dir);
  }
  return layout;
}

async function readMarker(layout: StoreLayout): Promise<StoreMarker | undefined> {
  let text: string;
  try {
    text = await readFile(layout.marker, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw ioError('read store marker', layout.marker, e);
  }
  let m: Partial<StoreMarker>;
  try {
    m = JSON.parse(text) as Partial<StoreMarker>;
  } catch {
    m = {};
  }
  if (m.format !== STORE_FORMAT || typeof m.version !== 'number') {
    throw new OvirtRepoError(ErrorCodes.STORE, `${layout.marker} is not an ovirt-repo store marker`, {
      target: layout.marker,
      hint: 'the directory holds something else; point --store at an ovirt-repo store or an empty directory',
    });
  }
  if (m.version > STORE_VERSION) {
    throw new OvirtRepoError(ErrorCodes.STORE, `store ${layout.root} has format version ${m.version}; this ovirt-repo understands up to ${STORE_VERSION}`, {
      target: layout.marker,
      hint: 'upgrade ovirt-repo',
    });
  }
  return m as StoreMarker;
}
