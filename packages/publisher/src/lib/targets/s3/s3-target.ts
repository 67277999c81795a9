import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  ErrorCodes,
  OvirtRepoError,
  acquireS3Lease,
  createS3Client,
  formatS3Location,
  isLocalFile,
  isOvirtRepoError,
  mapLimit,
  MAX_PUT_BYTES,
  nonRootTargetPath,
  normalizeTargetPath,
  parseS3Location,
  removeSpoolLeftovers,
  resolveS3Settings,
  silentLogger,
  spoolStream,
  type BatchCapable,
  type LockCapable,
  type Logger,
  type PutData,
  type PutItem,
  type S3Client,
  type S3Lease,
  type SyncTarget,
  type TargetEntry,
  type TargetLocation,
  type TargetLock,
  type TargetOpenOptions,
} from '@ovirt-repo/core';
import { objectHeaders } from './cache-policy.js';

/** Settings accepted through `--target-option key=value`. */
export const S3_SETTINGS = {
  parallel: 'Uploads and deletes at a time (1-64). Default 8.',
} as const;

export const S3_LIMITATIONS = [
  'rename() is copy-then-remove through this machine (S3 has no rename): not atomic; publish never relies on it.',
  'Each put is one PutObject, atomic by nature: readers see the old object or the new one, never a part. Nothing spanning several objects is atomic; publish stays safe by uploading data first and repodata/repomd.xml last.',
  'Objects larger than 5 GiB (the limit of one PutObject) are refused.',
  'Streams of unknown length are spooled first, up to 8 MiB in memory and beyond that to a local temp file (S3 needs the length before the first byte).',
  'The publish lock is a lease object (.ovirt-repo/locks/<name>.lock) renewed every 10 s; a holder that died on another host is taken over after 2 minutes without renewal, measured by the S3 server\'s clock.',
];

/** Files up to this size are uploaded from memory: the payload is signed and a transient failure is retried. */
const IN_MEMORY_MAX = 8 * 1024 * 1024;
/** Re-sends of a larger file after a transient failure (its bytes can be read again). */
const FILE_RETRIES = 2;

export interface S3TargetOptions {
  client: S3Client;
  bucket: string;
  /** '' or a key prefix without leading or trailing '/'. */
  prefix: string;
  logger?: Logger;
  /** Uploads and deletes at a time in putMany/removeMany/remove. Default 8. */
  parallel?: number;
  /** Lease timing (tests use short ones). */
  lease?: { staleAfterMs?: number; heartbeatMs?: number; pollMs?: number };
  /** The largest object put() accepts. Default MAX_PUT_BYTES, the most one PutObject carries. */
  maxObjectBytes?: number;
}

/**
 * A prefix of an S3 bucket (`s3://BUCKET/PREFIX`) that readers reach over plain HTTP (the bucket made
 * anonymously readable, or a web server proxying it). Credentials, region and endpoint come from the AWS
 * environment (core's resolveS3Settings); requests go through core's S3 client. Objects carry a
 * Content-Type by file name and a Cache-Control by what publish does with them (cache-policy.ts).
 */
export class S3Target implements SyncTarget, BatchCapable, LockCapable {
  readonly scheme = 's3';
  readonly atomicRename = false;
  readonly limitations = S3_LIMITATIONS;
  readonly location: string;
  readonly client: S3Client;
  readonly bucket: string;
  readonly prefix: string;
  private readonly log: Logger;
  private readonly parallel: number;
  private readonly leaseTiming: S3TargetOptions['lease'];
  private readonly leases = new Set<S3Lease>();
  private readonly maxObjectBytes: number;

  constructor(options: S3TargetOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.prefix = options.prefix;
    this.location = formatS3Location(this.bucket, this.prefix);
    this.log = options.logger ?? silentLogger;
    this.parallel = options.parallel ?? 8;
    this.leaseTiming = options.lease;
    this.maxObjectBytes = options.maxObjectBytes ?? MAX_PUT_BYTES;
  }

  /** Factory for the registry: `s3://BUCKET[/PREFIX]`, keys from the AWS environment. */
  static async open(location: TargetLocation, options: TargetOpenOptions = {}): Promise<S3Target> {
    const { bucket, prefix } = parseS3Location(location.raw);
    const settings = options.settings ?? {};
    for (const key of Object.keys(settings)) {
      if (!(key in S3_SETTINGS)) {
        throw new OvirtRepoError(ErrorCodes.USAGE, `Unknown --target-option "${key}" for ${formatS3Location(bucket, prefix)}`, {
          hint: `s3 targets accept: ${Object.keys(S3_SETTINGS).join(', ')}. The endpoint, region and keys come from the AWS environment (AWS_ENDPOINT_URL_S3, AWS_REGION, AWS_PROFILE...).`,
        });
      }
    }
    const parallel = settings.parallel === undefined ? 8 : Number(settings.parallel);
    if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64) {
      throw new OvirtRepoError(ErrorCodes.USAGE, `--target-option parallel=${settings.parallel} is not a whole number from 1 to 64`, { hint: 'Example: --target-option parallel=8' });
    }
    const s3 = await resolveS3Settings({ env: options.env ?? process.env });
    const client = createS3Client({ settings: s3, maxSockets: parallel + 2, ...(options.logger ? { logger: options.logger } : {}) });
    return new S3Target({ client, bucket, prefix, parallel, ...(options.logger ? { logger: options.logger } : {}) });
  }

  // ----- SyncTarget -------------------------------------------------------------------------------------

  async list(prefix = ''): Promise<TargetEntry[]> {
    const p = normalizeTargetPath(prefix);
    const root = this.dirKey('');
    const out: TargetEntry[] = [];
    try {
      for await (const e of this.client.list(this.bucket, { prefix: this.dirKey(p) })) {
        const rel = e.key.slice(root.length);
        // Keys no target path names (a console's "folder" object, `a//b`) are not ours to report.
        if (safePath(rel) !== rel) {
          this.log.debug(`${this.location}: ignoring object ${formatS3Location(this.bucket, e.key)}: not a file path`);
          continue;
        }
        out.push({ path: rel, type: 'file', size: e.size, ...(e.lastModifiedMs !== undefined ? { mtimeMs: e.lastModifiedMs } : {}) });
      }
    } catch (e) {
      throw this.failed('list', p, e);
    }
    return out;
  }

  async stat(path: string): Promise<TargetEntry | undefined> {
    const p = normalizeTargetPath(path);
    try {
      if (p !== '') {
        const info = await this.client.head(this.bucket, this.key(p));
        if (info) return { path: p, type: 'file', size: info.size, ...(info.lastModifiedMs !== undefined ? { mtimeMs: info.lastModifiedMs } : {}) };
      }
      const below = await this.client.listPage(this.bucket, { prefix: this.dirKey(p), maxKeys: 1 });
      return below.objects.length > 0 ? { path: p, type: 'directory', size: 0 } : undefined;
    } catch (e) {
      throw this.failed('stat', p, e);
    }
  }

  async read(path: string): Promise<Readable> {
    const p = nonRootTargetPath(path, 'read');
    let got;
    try {
      got = await this.client.get(this.bucket, this.key(p));
    } catch (e) {
      throw this.failed('read', p, e);
    }
    if (!got) throw new OvirtRepoError(ErrorCodes.NOT_FOUND, `read failed for ${this.where(p)}: no such object`, { target: this.where(p) });
    return got.stream;
  }

  async put(path: string, data: PutData): Promise<void> {
    const p = nonRootTargetPath(path, 'write');
    this.assertLeases();
    const key = this.key(p);
    const headers = objectHeaders(p);
    try {
      if (typeof data === 'string' || data instanceof Uint8Array) {
        await this.client.put(this.bucket, key, data, headers);
        return;
      }
      if (isLocalFile(data)) {
        const { size } = await stat(data.localFile);
        if (size <= IN_MEMORY_MAX) await this.client.put(this.bucket, key, await readFile(data.localFile), headers);
        else await this.upload(p, key, headers, size, () => createReadStream(data.localFile));
        return;
      }
      // S3 needs the length before the first byte (RGW 16 answers 411 without it), and a spooled stream
      // can be sent again after a transient failure.
      const spooled = await spoolStream(data, { maxBytes: this.maxObjectBytes, where: `put ${this.where(p)}`, code: ErrorCodes.TARGET });
      try {
        if (spooled.bytes) await this.client.put(this.bucket, key, spooled.bytes, headers);
        else await this.upload(p, key, headers, spooled.size, () => spooled.open());
      } finally {
        await spooled.dispose();
      }
    } catch (e) {
      throw this.failed('put', p, e);
    }
  }

  /** A large object as a streamed PUT, sent again after a transient failure. */
  private async upload(p: string, key: string, headers: { contentType: string; cacheControl: string }, size: number, open: () => Readable): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.put(this.bucket, key, open(), { ...headers, contentLength: size });
        return;
      } catch (e) {
        const data = isOvirtRepoError(e) ? e.data : undefined;
        if (attempt >= FILE_RETRIES || !(data?.transient === true || data?.unreachable === true)) throw e;
        this.log.debug(`${this.where(p)}: upload failed (${(e as Error).message}); sending it again`);
      }
    }
  }

  async rename(from: string, to: string): Promise<void> {
    const src = nonRootTargetPath(from, 'rename');
    const dst = nonRootTargetPath(to, 'rename onto');
    this.assertLeases();
    await this.put(dst, await this.read(src));
    await this.deleteKey(src, this.key(src));
  }

  async remove(path: string): Promise<void> {
    const p = nonRootTargetPath(path, 'remove');
    this.assertLeases();
    await this.deleteKey(p, this.key(p));
    let below: string[];
    try {
      below = [];
      for await (const e of this.client.list(this.bucket, { prefix: this.dirKey(p) })) below.push(e.key);
    } catch (e) {
      throw this.failed('remove', p, e);
    }
    await mapLimit(below, this.parallel, (key) => this.deleteKey(p, key));
  }

  async close(): Promise<void> {
    this.client.close();
  }

  // ----- BatchCapable: bounded parallel requests ----------------------------------------------------------

  async putMany(items: readonly PutItem[]): Promise<void> {
    await mapLimit([...items], this.parallel, (item) => this.put(item.path, item.data));
  }

  async removeMany(paths: readonly string[]): Promise<void> {
    await mapLimit([...paths], this.parallel, (path) => this.remove(path));
  }

  // ----- LockCapable: a lease object ----------------------------------------------------------------------

  async lock(name: string, options: { waitMs?: number } = {}): Promise<TargetLock> {
    const path = `${normalizeTargetPath(`.ovirt-repo/locks/${name}`)}.lock`;
    const lease = await acquireS3Lease(this.client, this.bucket, this.key(path), {
      purpose: `${name} on ${this.location}`,
      timeoutMs: options.waitMs ?? 0,
      logger: this.log,
      hint: `Wait for the other run to finish: publishes to one destination run one at a time (--lock-wait waits). A lease whose holder died is taken over after it goes unrenewed for ${Math.round((this.leaseTiming?.staleAfterMs ?? 120_000) / 1000)} s.`,
      ...this.leaseTiming,
    });
    this.leases.add(lease);
    // Spools of publishers killed on this host (their pid is gone) are left in the temp directory.
    await removeSpoolLeftovers(0);
    return {
      release: async () => {
        this.leases.delete(lease);
        await lease.release();
      },
    };
  }

  // ----- helpers ------------------------------------------------------------------------------------------

  private key(path: string): string {
    return this.prefix === '' ? path : path === '' ? this.prefix : `${this.prefix}/${path}`;
  }

  /** The key prefix of everything below target path `path` ('' below the bucket's root). */
  private dirKey(path: string): string {
    const k = this.key(path);
    return k === '' ? '' : `${k}/`;
  }

  private where(path: string): string {
    return formatS3Location(this.bucket, this.key(path));
  }

  /** A writer whose lease was taken over must not write on: its view of the destination is stale. */
  private assertLeases(): void {
    for (const lease of this.leases) if (lease.lost) throw lease.lost;
  }

  private async deleteKey(path: string, key: string): Promise<void> {
    try {
      await this.client.delete(this.bucket, key);
    } catch (e) {
      throw this.failed('remove', path, e);
    }
  }

  /** A failed request as E_TARGET naming the operation and the object; our own errors pass as they are. */
  private failed(operation: string, path: string, e: unknown): Error {
    if (isOvirtRepoError(e) && e.code !== ErrorCodes.FETCH && e.code !== ErrorCodes.IO) return e;
    const where = this.where(path);
    const why = isOvirtRepoError(e) ? e.message : `${(e as NodeJS.ErrnoException).code ?? ''} ${(e as Error).message ?? String(e)}`.trim();
    return new OvirtRepoError(ErrorCodes.TARGET, `${operation} failed for ${where}: ${why}`, {
      target: where,
      hint: (isOvirtRepoError(e) && e.hint) || 'Check the S3 endpoint, the keys (AWS_ACCESS_KEY_ID, AWS_PROFILE) and the bucket, then publish again.',
      ...(isOvirtRepoError(e) && e.data ? { data: e.data } : {}),
      cause: e,
    });
  }
}

function safePath(rel: string): string | undefined {
  try {
    return normalizeTargetPath(rel);
  } catch {
    return undefined;
  }
}
