import { userInfo } from 'node:os';
import { thisHost, type Store } from '@ovirt-repo/core';
import { pinKey, pinsKey } from './layout.js';
import { isSnapshotId } from './names.js';

/** A pin keeps a snapshot from gc, whatever its age: `yum/<repo>/pins/<id>.json`. */
export interface Pin {
  id: string;
  reason?: string;
  pinnedAt: string;
  pinnedBy: string;
}

export async function readPins(store: Store, repo: string): Promise<Map<string, Pin>> {
  const pins = new Map<string, Pin>();
  for (const e of await store.list(pinsKey(repo))) {
    const name = e.key.slice(e.key.lastIndexOf('/') + 1);
    const id = name.replace(/\.json$/, '');
    if (e.type !== 'object' || !name.endsWith('.json') || !isSnapshotId(id)) continue;
    let pin: Pin = { id, pinnedAt: '', pinnedBy: '' };
    try {
      const found = await store.read(e.key, { maxBytes: 64 * 1024 });
      if (!found) continue; // removed meanwhile
      pin = { ...pin, ...(JSON.parse(found.data.toString('utf8')) as Partial<Pin>), id };
    } catch {
      // An unreadable pin still pins: being conservative is what a pin is for.
    }
    pins.set(id, pin);
  }
  return pins;
}

/** Pin `id` (the caller holds the repo's retention lock), replacing the pin it may have. */
export async function writePin(store: Store, repo: string, id: string, reason?: string): Promise<Pin> {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers)
  }
  const pin: Pin = { id, reason, pinnedAt: new Date().toISOString(), pinnedBy: `${user}@${thisHost()}` };
  const current = await store.read(pinKey(repo, id));
  await store.replace(pinKey(repo, id), `${JSON.stringify(pin, null, 2)}\n`, current?.version ?? null);
  return pin;
}

/** Remove a pin; false when the snapshot was not pinned. */
export async function removePin(store: Store, repo: string, id: string): Promise<boolean> {
  if (!(await store.stat(pinKey(repo, id), { objectOnly: true }))) return false;
  await store.remove(pinKey(repo, id));
  return true;
}
