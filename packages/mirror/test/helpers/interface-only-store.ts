import { isStagedWriteCapable, type StagedWrite, type StagedWriteCapable, type Store } from '@ovirt-repo/core';
import { openStore } from '../../src/index.js';

export interface InterfaceOnlyOptions {
  /** A staged write of a key this accepts fails (as a full disk or a lost connection would), nothing written. */
  failWrite?: (key: string) => boolean;
}

/**
 * The directory store at `dir` with only what every store has: the base Store methods and staged writes.
 * No symlink, no localPath, no prepare/flush: what an object store offers. A restriction of the real
 * store (every call goes to it), not a mock, so that what a sync writes through it can be compared with
 * what it writes into a directory store, byte for byte.
 */
export async function interfaceOnlyStore(dir: string, options: InterfaceOnlyOptions = {}): Promise<Store & StagedWriteCapable> {
  const inner = await openStore(dir, { create: true });
  if (!isStagedWriteCapable(inner)) throw new Error('the directory store stages writes');
  const store: Store & StagedWriteCapable = {
    scheme: 'interface-only',
    location: inner.location,
    locationOf: (key) => inner.locationOf(key),
    read: (key, o) => inner.read(key, o),
    open: (key, o) => inner.open(key, o),
    stat: (key, o) => inner.stat(key, o),
    list: (prefix, o) => inner.list(prefix, o),
    create: (key, data) => inner.create(key, data),
    replace: (key, data, expected) => inner.replace(key, data, expected),
    remove: (key) => inner.remove(key),
    removeLeftovers: (prefix, o) => inner.removeLeftovers(prefix, o),
    lock: (name, o) => inner.lock(name, o),
    lockHolder: (name, o) => inner.lockHolder(name, o),
    close: async () => inner.close?.(),
    stage: async (prefix) => {
      const staged = await inner.stage(prefix);
      const restricted: StagedWrite = {
        prefix: staged.prefix,
        write: async (key, data) => {
          if (options.failWrite?.(key)) {
            if (typeof data === 'object' && 'destroy' in data) data.destroy();
            throw new Error(`injected failure writing ${key}`);
          }
          return staged.write(key, data);
        },
        commit: () => staged.commit(),
        discard: () => staged.discard(),
      };
      return restricted;
    },
  };
  return store;
}
