import { readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { ioError, thisHost, writeFileAtomic } from '@ovirt-repo/core';
import { pinsDir, type StoreLayout } from './layout.js';
import { isSnapshotId } from './names.js';

/** A pin keeps a snapshot from gc, whatever its age: `<store>/yum/<repo>/pins/<id>.json`. */
export interface Pin {
  id: string;
  reason?: string;
  pinnedAt: string;
  pinnedBy: string;
}

export async function readPins(layout: StoreLayout, repo: string): Promise<Map<string, Pin>> {
  const dir = pinsDir(layout, repo);
  const pins = new Map<string, Pin>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return pins;
    throw ioError('list pins', dir, e);
  }
  for (const name of names) {
    const id = name.replace(/\.json$/, '');
    if (!name.endsWith('.json') || !isSnapshotId(id)) continue;
    let pin: Pin = { id, pinnedAt: '', pinnedBy: '' };
    try {
      pin = { ...pin, ...(JSON.parse(await readFile(join(dir, name), 'utf8')) as Partial<Pin>), id };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      // An unreadable pin still pins: being conservative is what a pin is for.
    }
    pins.set(id, pin);
  }
  return pins;
}

export async function writePin(layout: StoreLayout, repo: string, id: string, reason?: string): Promise<Pin> {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers)
  }
  const pin: Pin = { id, reason, pinnedAt: new Date().toISOString(), pinnedBy: `${user}@${thisHost()}` };
  await writeFileAtomic(join(pinsDir(layout, repo), `${id}.json`), `${JSON.stringify(pin, null, 2)}\n`);
  return pin;
}

/** Remove a pin; false when the snapshot was not pinned. */
export async function removePin(layout: StoreLayout, repo: string, id: string): Promise<boolean> {
  const path = join(pinsDir(layout, repo), `${id}.json`);
  try {
    await unlink(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw ioError('remove pin', path, e);
  }
}
