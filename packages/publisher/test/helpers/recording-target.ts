import { isBatchCapable, isLockCapable, type PutData, type PutItem, type SyncTarget, type TargetLock } from '@ovirt-repo/core';

export interface Recorded {
  op: 'put' | 'remove';
  path: string;
}

/**
 * `target` with every write recorded in the order it was started, and a hook that runs before a put (to
 * take a listing between writes). Forwards the optional capabilities the target has, so publish takes the
 * same paths through it.
 */
export function recordingTarget(target: SyncTarget, beforePut: (path: string, data: PutData) => Promise<void> = async () => undefined): { target: SyncTarget; log: Recorded[] } {
  const log: Recorded[] = [];
  const put = async (path: string, data: PutData) => {
    await beforePut(path, data);
    log.push({ op: 'put', path });
    await target.put(path, data);
  };
  const remove = async (path: string) => {
    log.push({ op: 'remove', path });
    await target.remove(path);
  };
  const wrapped: SyncTarget & Record<string, unknown> = {
    scheme: target.scheme,
    location: target.location,
    atomicRename: target.atomicRename,
    limitations: target.limitations,
    list: (prefix) => target.list(prefix),
    stat: (path) => target.stat(path),
    read: (path) => target.read(path),
    put,
    rename: (from, to) => target.rename(from, to),
    remove,
  };
  if (isBatchCapable(target)) {
    // Same order as the target's own: one item after the other, each recorded as it starts.
    wrapped.putMany = async (items: readonly PutItem[]) => {
      for (const item of items) await put(item.path, item.data);
    };
    wrapped.removeMany = async (paths: readonly string[]) => {
      for (const path of paths) await remove(path);
    };
  }
  if (isLockCapable(target)) wrapped.lock = (name: string, options?: { waitMs?: number }): Promise<TargetLock> => target.lock(name, options);
  return { target: wrapped, log };
}
