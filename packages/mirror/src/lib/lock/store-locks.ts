import type { LockOptions, Store } from '@ovirt-repo/core';
import { LOCKS_DIR } from '../store/layout.js';

/** Lock names of a store (Store.lock). A directory store keeps them in `locks/`, which web servers should not serve. */
export const repoLockName = (repo: string) => `repo-${repo}`;
/** Short lock for pin/unpin and gc's snapshot removal of one repo (not held during downloads). */
export const retentionLockName = (repo: string) => `retention-${repo}`;
export const INDEX_LOCK = 'index';
export const GC_LOCK = 'gc';
/** Where running syncs register the pool entries they are about to reference (pool-guard.ts). */
export const POOL_USERS = `${LOCKS_DIR}/pool-users`;

/** Run `fn` holding the store's lock `name`. */
export async function withStoreLock<T>(store: Store, name: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const lock = await store.lock(name, options);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

/**
 * Run `fn` holding every lock of `names`, taken in sorted order (so two commands that need the same locks
 * never each hold one the other waits for), released in reverse.
 */
export async function withStoreLocks<T>(store: Store, names: readonly string[], options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const [first, ...rest] = [...new Set(names)].sort();
  if (first === undefined) return fn();
  return withStoreLock(store, first, options, () => withStoreLocks(store, rest, options, fn));
}
