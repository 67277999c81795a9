import { mkdir, readFile, stat } from 'node:fs/promises';
import { ErrorCodes, OvirtRepoError, ioError, writeFileAtomic } from '@ovirt-repo/core';
import { storeLayout, type StoreLayout } from './layout.js';

export const STORE_FORMAT = 'ovirt-repo-store';
export const STORE_VERSION = 1;

export interface StoreMarker {
  format: typeof STORE_FORMAT;
  version: number;
  createdAt: string;
}

/**
 * Open the store at `root`. Writers (`create: true`) make the directory skeleton and the store.json marker
 * on first use; readers and gc require the marker, so a typo in --store can never make gc delete files in
 * a directory that is not a store.
 */
export async function openStore(root: string, options: { create?: boolean } = {}): Promise<StoreLayout> {
  const layout = storeLayout(root);
  const marker = await readMarker(layout);
  if (marker) return layout;
  if (!options.create) {
    throw new OvirtRepoError(ErrorCodes.STORE, `${layout.root} is not an ovirt-repo store (no ${layout.marker})`, {
      target: layout.root,
      hint: 'check --store / OVIRT_REPO_STORE; a store is created by the first `ovirt-repo mirror sync`',
    });
  }
  try {
    await mkdir(layout.root, { recursive: true });
    const st = await stat(layout.root);
    if (!st.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    await mkdir(layout.poolDir, { recursive: true });
    await mkdir(layout.yumDir, { recursive: true });
    await mkdir(layout.locksDir, { recursive: true });
  } catch (e) {
    throw ioError('create store', layout.root, e);
  }
  // Several first writers may race here; every one writes the same kind of marker atomically.
  if (!(await readMarker(layout))) {
    const m: StoreMarker = { format: STORE_FORMAT, version: STORE_VERSION, createdAt: new Date().toISOString() };
    await writeFileAtomic(layout.marker, `${JSON.stringify(m, null, 2)}\n`);
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
