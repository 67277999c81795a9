import { ErrorCodes, OvirtRepoError, type Store } from '@ovirt-repo/core';
import { openStoreBackend, type OpenStoreOptions } from './backends.js';
import { STORE_MARKER } from './layout.js';
import { assertOwnParts } from './store-parts.js';

export const STORE_FORMAT = 'ovirt-repo-store';
export const STORE_VERSION = 1;

export interface StoreMarker {
  format: typeof STORE_FORMAT;
  version: number;
  createdAt: string;
}

/**
 * Open the store at `location` (a directory, or a URL of a store backend). Readers, gc and `index write`
 * require the store.json marker, so a typo in --store can never make gc delete files somewhere that is not
 * a store. Writers (`create: true`, mirror sync) also make a new store, but only where nothing else is (a
 * directory store: in a missing or empty directory, never one that holds a web root or an old mirror
 * tree). The marker is created first, create-only, so first writers racing agree on one, and a first sync
 * killed at any moment leaves nothing or a store, which the next sync takes up. Writers also refuse a
 * store whose parts lead out of it (store-parts.ts). A Store already open is checked the same way. A dry
 * run (`dryRun` with `create`) is checked as a writer, but no marker is made.
 */
export async function openStore(location: string | Store, options: OpenStoreOptions = {}): Promise<Store> {
  const store = typeof location === 'string' ? await openStoreBackend(location, options) : location;
  if (!(await readMarker(store))) {
    if (!options.create) {
      throw new OvirtRepoError(ErrorCodes.STORE, `${store.location} is not an ovirt-repo store (no ${store.locationOf(STORE_MARKER)})`, {
        target: store.location,
        hint: 'check --store / OVIRT_REPO_STORE; a store is created by the first `ovirt-repo mirror sync` into an empty or missing directory',
      });
    }
    if (options.dryRun) {
      await assertOwnParts(store);
      return store;
    }
    const m: StoreMarker = { format: STORE_FORMAT, version: STORE_VERSION, createdAt: new Date().toISOString() };
    // False when another first writer's marker appeared meanwhile: that store is ours too.
    await store.create(STORE_MARKER, `${JSON.stringify(m, null, 2)}\n`);
    if (!(await readMarker(store))) {
      throw new OvirtRepoError(ErrorCodes.STORE, `the marker ${store.locationOf(STORE_MARKER)} vanished while the store was being created`, {
        target: store.locationOf(STORE_MARKER),
        hint: 'something removed it meanwhile; run the command again',
      });
    }
  }
  if (options.create) await assertOwnParts(store);
  return store;
}

async function readMarker(store: Store): Promise<StoreMarker | undefined> {
  const where = store.locationOf(STORE_MARKER);
  const found = await store.read(STORE_MARKER, { maxBytes: 64 * 1024 }).catch((e: unknown) => {
    if ((e as { code?: string }).code === ErrorCodes.STORE) return { data: Buffer.from('') };
    throw e;
  });
  if (!found) return undefined;
  let m: Partial<StoreMarker>;
  try {
    m = JSON.parse(found.data.toString('utf8')) as Partial<StoreMarker>;
  } catch {
    m = {};
  }
  if (m.format !== STORE_FORMAT || typeof m.version !== 'number') {
    throw new OvirtRepoError(ErrorCodes.STORE, `${where} is not an ovirt-repo store marker`, {
      target: where,
      hint: 'the directory holds something else; point --store at an ovirt-repo store or an empty directory',
    });
  }
  if (m.version > STORE_VERSION) {
    throw new OvirtRepoError(ErrorCodes.STORE, `store ${store.location} has format version ${m.version}; this ovirt-repo understands up to ${STORE_VERSION}`, {
      target: where,
      hint: 'upgrade ovirt-repo',
    });
  }
  return m as StoreMarker;
}
