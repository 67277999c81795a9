import { ErrorCodes, OvirtRepoError, type Store } from '@ovirt-repo/core';
import { CACHE_DIR, LOCKS_DIR, POOL_DIR, YUM_DIR } from './layout.js';
import { isValidRepoName } from './names.js';

/**
 * Refuse a store whose parts lead out of it. gc deletes below pool/, yum/<repo>/ and cache/, and a sync
 * writes there: through a symlink to another store's pool, this store's gc would delete the packages only
 * the other store's snapshots use (and the other's gc this one's). So pool/, yum/, locks/, cache/ and every
 * repo must be prefixes of this store itself, never links (on a directory store a mount point is fine: it
 * is a directory). Checked before anything is written or deleted, so a refused command changes nothing.
 */
export async function assertOwnParts(store: Store): Promise<void> {
  for (const part of [POOL_DIR, YUM_DIR, LOCKS_DIR, CACHE_DIR]) assertOwnPart(store, part, await store.stat(part));
  for (const e of await store.list(YUM_DIR)) {
    if (e.type === 'link' && isValidRepoName(e.key.slice(YUM_DIR.length + 1))) assertOwnPart(store, e.key, e);
  }
}

function assertOwnPart(store: Store, key: string, entry: Awaited<ReturnType<Store['stat']>>): void {
  if (!entry || entry.type === 'prefix') return;
  const where = store.locationOf(key);
  const what = entry.type === 'link' ? `a symbolic link to ${entry.target ?? '?'}` : 'not a directory';
  throw new OvirtRepoError(ErrorCodes.STORE, `${where} is ${what}: the parts of store ${store.location} must be its own directories, so that gc and sync never act on files outside it`, {
    target: where,
    hint: 'replace it with a directory of this store (move the files in). To keep the pool on another disk, mount that disk at the pool directory, or put the whole store there and point --store at it',
  });
}
