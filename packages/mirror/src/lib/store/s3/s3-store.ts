import { Readable } from 'node:stream';
import {
  contentTypeFor, DEFAULT_READ_MAX_BYTES, ErrorCodes, IMMUTABLE, NO_CACHE, isOvirtRepoError, joinKey, mapLimit, MAX_PUT_BYTES, OvirtRepoError, removeSpoolLeftovers,
  spoolStream, storeKey, unquote, type LockOptions, type LockOwner, type S3Client, type S3ListEntry, type StagedWrite,
  type StagedWriteCapable, type Store, type StoreData, type StoreEntry, type StoreLock, type StoreObject, type StoreStream,
} from '@ovirt-repo/core';
import { Leases } from './lease.js';
import { COMMITTING_GRACE_MS, StagingMarkers } from './markers.js';
import { isHidden, S3Namespace } from './namespace.js';
import { S3StagedWrite } from './staged-write.js';

/** Deletes of a prefix in flight at once. */
const DELETE_CONCURRENCY = 16;

export interface S3StoreOptions {
  client: S3Client;
  bucket: string;
  /** '' or a store key: where the store's root is in the bucket. */
  prefix: string;
  /** Leases without a heartbeat this long (by the server's clock) are stale, when a caller gives no staleAfterMs. */
  staleAfterMs?: number;
  /** The largest object create() takes (default, and at most, what one PUT may carry). */
  maxObjectBytes?: number;
  /** Where create() spools streams of unknown length (default the system temp directory). */
  spoolDir?: string;
}

const isConflict = (e: unknown) => isOvirtRepoError(e) && e.code === ErrorCodes.CONFLICT;
const byKey = (a: StoreEntry, b: StoreEntry) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

function validKey(key: string): boolean {
  try {
    storeKey(key, 'list');
    return true;
  } catch {
    return false;
  }
}

/**
 * The store in an S3 bucket (AWS S3, Ceph RGW, MinIO...), below `s3://BUCKET/PREFIX`, over core's S3
 * client: create() is a PUT with If-None-Match: *, replace() a PUT with If-Match (the bare ETag: Ceph RGW
 * 16.2 honours no other form), so writers on many hosts need no database. Objects get Cache-Control as they
 * are written: immutable from create(), no-cache from replace(). Staged writes, the reserved namespace and
 * leases: namespace.ts, staged-write.ts, lease.ts. Not SymlinkCapable: a snapshot's `pool/` paths are
 * mapped to the store's pool by whoever serves it.
 */
export class S3Store implements Store, StagedWriteCapable {
  readonly scheme = 's3';
  readonly location: string;
  readonly #ns: S3Namespace;
  readonly #leases: Leases;
  readonly #markers: StagingMarkers;
  readonly #maxObjectBytes: number;
  readonly #spoolDir: string | undefined;

  constructor(options: S3StoreOptions) {
    this.#ns = new S3Namespace(options.client, options.bucket, options.prefix);
    this.location = `s3://${options.bucket}${options.prefix ? `/${options.prefix}` : ''}`;
    this.#leases = new Leases(this.#ns, options.staleAfterMs);
    this.#markers = new StagingMarkers(this.#ns);
    this.#maxObjectBytes = Math.min(options.maxObjectBytes ?? MAX_PUT_BYTES, MAX_PUT_BYTES);
    this.#spoolDir = options.spoolDir;
  }

  get #client(): S3Client {
    return this.#ns.client;
  }

  get #bucket(): string {
    return this.#ns.bucket;
  }

  locationOf(key: string): string {
    return key === '' ? this.location : this.#ns.where(key);
  }

  async read(key: string, options: { maxBytes?: number } = {}): Promise<StoreObject | undefined> {
    const max = options.maxBytes ?? DEFAULT_READ_MAX_BYTES;
    const got = await this.#client.getBytes(this.#bucket, this.#ns.objectKey(storeKey(key, 'read')), max).catch((e: unknown) => {
      if (isOvirtRepoError(e) && e.data?.maxBytes === max) {
        throw new OvirtRepoError(ErrorCodes.STORE, `read: ${this.locationOf(key)} is larger than the ${max} bytes allowed`, { target: this.locationOf(key), hint: 'this object is not the small document expected here', data: { maxBytes: max } });
      }
      throw e;
    });
    return got && { data: got.data, version: unquote(got.etag) };
  }

  async open(key: string, options: { start?: number; end?: number } = {}): Promise<StoreStream | undefined> {
    const range = options.start !== undefined || options.end !== undefined ? { start: options.start ?? 0, ...(options.end !== undefined ? { end: options.end } : {}) } : undefined;
    const got = await this.#client.get(this.#bucket, this.#ns.objectKey(storeKey(key, 'open')), range ? { range } : {});
    if (!got) return undefined;
    return { stream: got.stream, size: got.size, etag: unquote(got.etag), ...(got.lastModifiedMs !== undefined ? { mtimeMs: got.lastModifiedMs } : {}) };
  }

  async stat(key: string, options: { objectOnly?: boolean } = {}): Promise<StoreEntry | undefined> {
    storeKey(key, 'stat');
    if (key === '') {
      // The root is always there once the bucket answers (this throws NoSuchBucket, AccessDenied...).
      await this.#client.listPage(this.#bucket, { prefix: this.#ns.below(''), maxKeys: 1 });
      return { key: '', type: 'prefix', size: 0 };
    }
    const info = await this.#client.head(this.#bucket, this.#ns.objectKey(key));
    if (info) return { key, type: 'object', size: info.size, etag: unquote(info.etag), ...(info.lastModifiedMs !== undefined ? { mtimeMs: info.lastModifiedMs } : {}) };
    // A LIST costs an RGW far more than a HEAD (a bucket index scan).
    if (options.objectOnly) return undefined;
    const page = await this.#client.listPage(this.#bucket, { prefix: this.#ns.below(key), maxKeys: 1 });
    if (page.objects.length === 0 && page.prefixes.length === 0) return undefined;
    // Objects first, then the marker (see list()): a prefix seen while its marker is gone is complete.
    if (await this.#client.head(this.#bucket, this.#ns.markerKey(key))) return undefined;
    return { key, type: 'prefix', size: 0 };
  }

  /**
   * A staged prefix is hidden: the objects (and prefixes) are listed first, the staging markers after. A
   * staged write creates its marker before its first object and removes it after its last, so a prefix
   * the first listing shows was either marked before that listing or complete: if the second listing still
   * finds its marker it is hidden, and if the marker is gone by then the set was committed whole before
   * the second listing began. In the other order, a write could start between the two listings and its
   * first objects be shown without their marker.
   */
  async list(prefix: string, options: { recursive?: boolean } = {}): Promise<StoreEntry[]> {
    storeKey(prefix, 'list');
    const base = this.#ns.below(prefix);
    const found: S3ListEntry[] = [];
    for await (const e of this.#client.list(this.#bucket, { prefix: base, ...(options.recursive ? {} : { delimiter: '/' }) })) found.push(e);
    const staged = await this.#ns.markersBelow(prefix, options.recursive ?? false);
    const out: StoreEntry[] = [];
    for (const e of found) {
      const isPrefix = e.size < 0;
      const key = joinKey(prefix, e.key.slice(base.length).replace(/\/$/, ''));
      // Not a store key: the reserved namespace, other tools' objects (`dir/` markers, dot-names).
      if (!validKey(key) || key === prefix) continue;
      if (isHidden(key, staged)) continue;
      if (isPrefix) out.push({ key, type: 'prefix', size: 0 });
      else out.push({ key, type: 'object', size: e.size, ...(e.etag ? { etag: unquote(e.etag) } : {}), ...(e.lastModifiedMs !== undefined ? { mtimeMs: e.lastModifiedMs } : {}) });
    }
    return out.sort(byKey);
  }

  async create(key: string, data: StoreData): Promise<boolean> {
    try {
      storeKey(key, 'create');
    } catch (e) {
      if (data instanceof Readable) data.destroy();
      throw e;
    }
    const objectKey = this.#ns.objectKey(key);
    const put = { ifNoneMatch: '*' as const, cacheControl: IMMUTABLE, contentType: contentTypeFor(key) };
    try {
      if (!(data instanceof Readable)) {
        await this.#client.put(this.#bucket, objectKey, data, put);
        return true;
      }
      // A single PUT needs the length first: read the stream out (in memory, or a temp file when large).
      const spooled = await spoolStream(data, { maxBytes: this.#maxObjectBytes, where: `create ${this.locationOf(key)}`, ...(this.#spoolDir ? { dir: this.#spoolDir } : {}) });
      try {
        await this.#client.put(this.#bucket, objectKey, spooled.bytes ?? spooled.open(), { ...put, contentLength: spooled.size, sha256: spooled.sha256 });
        return true;
      } finally {
        await spooled.dispose();
      }
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
  }

  async replace(key: string, data: string | Uint8Array, expected: string | null): Promise<string> {
    const objectKey = this.#ns.objectKey(storeKey(key, 'replace'));
    const condition = expected === null ? { ifNoneMatch: '*' as const } : { ifMatch: expected };
    const put = await this.#client.put(this.#bucket, objectKey, data, { ...condition, cacheControl: NO_CACHE, contentType: contentTypeFor(key) });
    return unquote(put.etag);
  }

  async remove(key: string): Promise<void> {
    if (storeKey(key, 'remove') === '') {
      throw new OvirtRepoError(ErrorCodes.UNSAFE_PATH, `remove: refusing to remove the store root ${this.location}`, { target: this.location, hint: 'name a key inside the store' });
    }
    await this.#client.delete(this.#bucket, this.#ns.objectKey(key));
    const below: string[] = [];
    for await (const e of this.#client.list(this.#bucket, { prefix: this.#ns.below(key) })) below.push(e.key);
    if (below.length === 0) return;
    // Hidden first (as a staged write is), so a reader never lists half a prefix while it goes. A marker
    // that is there already (a write being staged, a killed remover's) is left to its owner or to
    // removeLeftovers.
    const marked = (await this.#markers.create(key, 'removing')) !== undefined;
    await mapLimit(below, DELETE_CONCURRENCY, (k) => this.#client.delete(this.#bucket, k));
    if (marked) await this.#markers.remove(key);
  }

  /**
   * Staged writes and prefix removals that were left (their marker older than `olderThanMs` by the
   * server's clock) are finished: each claimed first (markers.ts), so that a writer that was only paused
   * and commits meanwhile keeps its set, then its objects removed, then the marker. A set whose writer was
   * killed while committing is complete and left for COMMITTING_GRACE_MS. Also the spool files of
   * processes on this host killed while spooling a create().
   */
  async removeLeftovers(prefix: string, options: { olderThanMs: number; recursive?: boolean }): Promise<number> {
    storeKey(prefix, 'remove leftovers');
    let removed = 0;
    for (const staged of await this.#ns.markersBelow(prefix, options.recursive ?? false)) {
      const marker = await this.#markers.read(staged);
      if (!marker || marker.ageMs === undefined) continue;
      if (marker.ageMs < (marker.state === 'committing' ? Math.max(options.olderThanMs, COMMITTING_GRACE_MS) : options.olderThanMs)) continue;
      if ((await this.#markers.claim(staged, marker.etag, 'removing')) === undefined) continue;
      const below: string[] = [];
      for await (const e of this.#client.list(this.#bucket, { prefix: this.#ns.below(staged) })) below.push(e.key);
      await mapLimit(below, DELETE_CONCURRENCY, (k) => this.#client.delete(this.#bucket, k));
      await this.#markers.remove(staged);
      removed++;
    }
    return removed + (await removeSpoolLeftovers(options.olderThanMs, this.#spoolDir));
  }

  lock(name: string, options: LockOptions): Promise<StoreLock> {
    return this.#leases.lock(name, options);
  }

  lockHolder(name: string, options: { staleAfterMs?: number } = {}): Promise<{ owner?: LockOwner } | undefined> {
    return this.#leases.holder(name, options);
  }

  async stage(prefix: string): Promise<StagedWrite> {
    if (storeKey(prefix, 'stage') === '') throw new OvirtRepoError(ErrorCodes.UNSAFE_PATH, `stage: refusing to stage the store root ${this.location}`, { target: this.location, hint: 'stage a prefix inside the store' });
    const marker = await this.#markers.create(prefix, 'staging');
    if (marker === undefined) {
      throw new OvirtRepoError(ErrorCodes.CONFLICT, `stage: ${this.locationOf(prefix)} is being written by another writer (or was left by one that died)`, {
        target: this.locationOf(prefix),
        hint: 'another writer is making it; what a killed writer left is removed by the next sync or gc once old',
      });
    }
    let exists: boolean;
    try {
      const page = await this.#client.listPage(this.#bucket, { prefix: this.#ns.below(prefix), maxKeys: 1 });
      exists = page.objects.length > 0 || page.prefixes.length > 0;
    } catch (e) {
      await this.#markers.remove(prefix);
      throw e;
    }
    // An existing prefix must not be hidden by our marker: it stays as it is, and this write is doomed.
    if (exists) await this.#markers.remove(prefix);
    const store = {
      create: (key: string, data: StoreData) => this.create(key, data),
      deleteKeys: (keys: readonly string[]) => mapLimit(keys, DELETE_CONCURRENCY, (k) => this.#client.delete(this.#bucket, this.#ns.objectKey(k))).then(() => undefined),
      claimCommit: async () => (await this.#markers.claim(prefix, marker, 'committing')) !== undefined,
      unmark: () => this.#markers.remove(prefix),
      locationOf: (k: string) => this.locationOf(k),
    };
    return new S3StagedWrite(prefix, store, exists);
  }

  async close(): Promise<void> {
    this.#client.close();
  }
}
