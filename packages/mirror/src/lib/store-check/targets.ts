import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  createS3Client, ErrorCodes, formatS3Location, isOvirtRepoError, joinKey, OvirtRepoError, parseS3Location, resolveS3Settings, unquote,
  type Logger, type S3SettingsOptions, type Store,
} from '@ovirt-repo/core';
import { openStoreBackend } from '../store/backends.js';
import { LOCKS_DIR } from '../store/layout.js';
import type { ProbeTarget } from './target.js';

/** The probe's own prefix: a new one per run, so concurrent probes and the store's own keys never meet. */
const probeName = () => `store-check-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;

/** What `store check` runs against: `s3://BUCKET/PREFIX`, else a directory store (a path or file:// URL). */
export async function openProbeTarget(location: string, logger: Logger, s3: S3SettingsOptions = {}): Promise<ProbeTarget> {
  return location.startsWith('s3:') ? s3Target(location, logger, s3) : storeTarget(location);
}

/**
 * Straight on the bucket with core's S3 client, below `PREFIX/.store-check-…/` (a dot-name: no store key
 * starts with a dot, so the probe never touches the store's own objects).
 */
async function s3Target(location: string, logger: Logger, s3: S3SettingsOptions): Promise<ProbeTarget> {
  const { bucket, prefix } = parseS3Location(location);
  const settings = await resolveS3Settings({ ...(s3.endpoint ? { endpoint: s3.endpoint } : {}), ...(s3.region ? { region: s3.region } : {}), ...(s3.profile ? { profile: s3.profile } : {}) });
  const client = createS3Client({ settings, logger });
  const base = `${prefix ? `${prefix}/` : ''}.${probeName()}/`;
  const k = (key: string) => `${base}${key}`;
  const conflictAsFalse = (e: unknown) => {
    if (isOvirtRepoError(e) && e.code === ErrorCodes.CONFLICT) return false;
    throw e;
  };
  const all = async (under: string) => {
    const found: { key: string; size: number }[] = [];
    for await (const e of client.list(bucket, { prefix: under })) found.push({ key: e.key.slice(base.length), size: e.size });
    return found;
  };
  return {
    backend: 's3',
    location: formatS3Location(bucket, base),
    versionForms: [
      { name: 'quoted', of: (v) => `"${unquote(v)}"` },
      { name: 'unquoted', of: (v) => unquote(v) },
    ],
    create: (key, data) => client.put(bucket, k(key), data, { ifNoneMatch: '*' }).then(() => true, conflictAsFalse),
    overwrite: async (key, data) => (await client.put(bucket, k(key), data)).etag,
    replaceIf: async (key, data, version) => (await client.put(bucket, k(key), data, { ifMatch: version })).etag,
    read: async (key) => {
      const got = await client.getBytes(bucket, k(key), 16 << 20);
      return got ? { data: got.data, version: got.etag } : undefined;
    },
    list: (under) => all(k(`${under}/`)),
    putStream: async (key, data, length) => void (await client.put(bucket, k(key), data, { contentLength: length, ifNoneMatch: '*' })),
    remove: (key) => client.delete(bucket, k(key)),
    cleanUp: async () => {
      for (const e of await all(base)) await client.delete(bucket, k(e.key));
    },
    close: async () => client.close(),
  };
}

/** A directory store, through the Store interface (what sync, gc and the rest use). */
async function storeTarget(location: string): Promise<ProbeTarget> {
  const store: Store = await openStoreBackend(location);
  if (!(await store.stat(''))) {
    throw new OvirtRepoError(ErrorCodes.NOT_FOUND, `${store.location} does not exist`, { target: store.location, hint: 'give the directory of a store (or an empty directory to try)' });
  }
  const base = probeName();
  const k = (key: string) => joinKey(base, key);
  // A replace takes a guard lock in the store's locks/ directory; one the probe made goes again with it.
  const hadLocks = (await store.stat(LOCKS_DIR)) !== undefined;
  return {
    backend: store.scheme,
    location: store.locationOf(base),
    versionForms: [{ name: 'opaque', of: (v) => v }],
    create: (key, data) => store.create(k(key), data),
    overwrite: async (key, data) => store.replace(k(key), data, (await store.read(k(key)))?.version ?? null),
    replaceIf: (key, data, version) => store.replace(k(key), data, version),
    read: (key) => store.read(k(key)),
    list: async (under) => (await store.list(k(under), { recursive: true })).filter((e) => e.type === 'object').map((e) => ({ key: e.key.slice(base.length + 1), size: e.size })),
    putStream: async (key, data: Readable) => {
      if (!(await store.create(k(key), data))) throw new OvirtRepoError(ErrorCodes.CONFLICT, `${store.locationOf(k(key))} already exists`);
    },
    remove: (key) => store.remove(k(key)),
    cleanUp: async () => {
      await store.remove(base);
      if (!hadLocks && (await store.list(LOCKS_DIR)).length === 0) await store.remove(LOCKS_DIR);
    },
    close: async () => store.close?.(),
  };
}
