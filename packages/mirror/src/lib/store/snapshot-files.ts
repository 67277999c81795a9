import { isSymlinkCapable, joinKey, type Store } from '@ovirt-repo/core';
import { POOL_DIR } from './layout.js';

/**
 * The store key of `href`, a path below the snapshot whose key is `snapshot` as clients ask for it
 * (`repodata/...`, `pool/<dd>/<digest>/<name>`). A store with links has a `pool` link in each snapshot, so
 * the key is the path below the snapshot; a store without links (S3) has none, so `pool/...` is the
 * store's own pool key, as whoever serves the store maps it.
 */
export function snapshotFileKey(store: Store, snapshot: string, href: string): string {
  if (!isSymlinkCapable(store) && (href === POOL_DIR || href.startsWith(`${POOL_DIR}/`))) return href;
  return joinKey(snapshot, href);
}
