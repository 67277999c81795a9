import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCodes, isOvirtRepoError, OvirtRepoError } from '../errors/index.js';
import { describeOwner, newOwner, type LockOwner } from '../lock/file-lock.js';
import { isSameHostOwnerAlive, thisHost } from '../lock/process-info.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { unquote } from './answers.js';
import { formatS3Location } from './location.js';
import type { S3Client } from './types.js';

/**
 * An exclusive writer lease as one S3 object, for writers on any number of hosts sharing a bucket:
 * - acquire: create-only PUT (If-None-Match: *) of the owner record;
 * - heartbeat: the holder rewrites it by compare-and-swap on its ETag (If-Match, the bare ETag: Ceph RGW
 *   16.2 honours no other form), so it notices at once when someone else took it over;
 * - stale: its Last-Modified is older than `staleAfterMs` by the SERVER's clock (the Date of the same HEAD
 *   answer), never this host's, so a host with a wrong clock neither breaks live leases nor keeps dead
 *   ones; a holder on this host whose process is gone is stale at once;
 * - break and re-take of a released lease: a compare-and-swap on the ETag that was judged, so of several
 *   waiters exactly one wins and a lease renewed meanwhile is never broken;
 * - release: a compare-and-swap to a released record, never an unconditional delete, which could remove a
 *   lease taken over meanwhile. The released object stays (a few hundred bytes) and is re-taken by CAS.
 * Every record carries a fresh token and renewal count, so its ETag (the MD5 of a single PUT) changes with
 * each write.
 */
export interface S3LeaseOptions {
  /** What the lease protects, for messages ("publish to s3://b/p"). */
  purpose: string;
  /** How long to wait for a held lease; 0 (default) fails at once with E_LOCKED. */
  waitMs?: number;
  /** A lease not renewed for this long (server time) may be broken. Default 2 minutes. */
  staleAfterMs?: number;
  /** Renewal interval. Default staleAfterMs / 4, at most 20 s. */
  heartbeatMs?: number;
  /** Poll interval while waiting. Default 1 s. */
  pollMs?: number;
  /** Hint of the E_LOCKED error. */
  hint?: string;
  logger?: Logger;
}

export interface S3Lease {
  readonly owner: LockOwner;
  /** Where the lease object is. */
  readonly location: string;
  /** Set once a renewal found the lease taken over (or gone): the holder must stop writing. */
  readonly lost: OvirtRepoError | undefined;
  /** Throws E_LOCKED unless the lease object is still ours. */
  assertHeld(): Promise<void>;
  release(): Promise<void>;
}

interface LeaseRecord extends LockOwner {
  state: 'held' | 'released';
  renewal: number;
}

export const DEFAULT_LEASE_STALE_MS = 120_000;
const MAX_LEASE_BYTES = 64 * 1024;

export async function acquireS3Lease(client: S3Client, bucket: string, key: string, options: S3LeaseOptions): Promise<S3Lease> {
  const where = formatS3Location(bucket, key);
  const log = options.logger ?? silentLogger;
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_LEASE_STALE_MS;
  const heartbeatMs = options.heartbeatMs ?? Math.min(20_000, staleAfterMs / 4);
  const waitMs = options.waitMs ?? 0;
  const owner = newOwner(options.purpose);
  let renewal = 0;
  const body = (state: LeaseRecord['state']) => `${JSON.stringify({ ...owner, state, renewal: renewal++ } satisfies LeaseRecord)}\n`;
  const started = Date.now();

  let etag: string | undefined;
  while (etag === undefined) {
    const created = await client.put(bucket, key, body('held'), { ifNoneMatch: '*', contentType: 'application/json', cacheControl: 'no-cache' }).catch(conflictAsUndefined);
    if (created) {
      etag = created.etag;
      break;
    }
    const seen = await inspect(client, bucket, key);
    if (!seen) continue; // released and removed by hand between the two requests: create again
    const free = freeReason(seen, staleAfterMs);
    if (free) {
      const taken = await client.put(bucket, key, body('held'), { ifMatch: unquote(seen.etag), contentType: 'application/json', cacheControl: 'no-cache' }).catch(conflictAsUndefined);
      if (taken) {
        if (seen.record?.state !== 'released') log.warn(`${where}: broke the lease of ${describeOwner(seen.record)}: ${free}`);
        etag = taken.etag;
      }
      continue;
    }
    if (Date.now() - started >= waitMs) {
      throw new OvirtRepoError(ErrorCodes.LOCKED, `${options.purpose}: the lease ${where} is held by ${describeOwner(seen.record)}${waitMs > 0 ? `; gave up after ${Math.round(waitMs / 1000)} s` : ''}`, {
        target: where,
        hint: options.hint ?? `wait for that run to finish and retry; a lease whose holder died is broken after ${Math.round(staleAfterMs / 1000)} s without renewal (server time)`,
        data: { holder: seen.record },
      });
    }
    await sleep(Math.min(options.pollMs ?? 1000, Math.max(1, waitMs - (Date.now() - started))));
  }

  let lost: OvirtRepoError | undefined;
  const loseIt = (why: string) => {
    lost ??= new OvirtRepoError(ErrorCodes.LOCKED, `${options.purpose}: lost the lease ${where}: ${why}`, {
      target: where,
      hint: 'another writer took it over (this run stalled longer than the lease lasts, or the lease was removed by hand); run again',
    });
    log.warn(lost.message);
  };
  let beating: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    beating = beating.then(async () => {
      if (lost || etag === undefined) return;
      try {
        etag = (await client.put(bucket, key, body('held'), { ifMatch: unquote(etag), contentType: 'application/json', cacheControl: 'no-cache' })).etag;
      } catch (e) {
        if (isOvirtRepoError(e) && e.code === ErrorCodes.CONFLICT) loseIt('it was taken over');
        else log.debug(`${where}: lease renewal failed, retried at the next beat: ${(e as Error).message}`);
      }
    });
  }, heartbeatMs);
  timer.unref();

  return {
    owner,
    location: where,
    get lost() {
      return lost;
    },
    async assertHeld() {
      if (!lost) {
        const now = await client.head(bucket, key);
        if (now?.etag !== etag) loseIt(now ? 'it was taken over' : 'it was removed');
      }
      if (lost) throw lost;
    },
    async release() {
      clearInterval(timer);
      await beating;
      if (lost || etag === undefined) return;
      await client.put(bucket, key, body('released'), { ifMatch: unquote(etag), contentType: 'application/json', cacheControl: 'no-cache' }).catch(conflictAsUndefined);
      etag = undefined;
    },
  };
}

interface Seen {
  etag: string;
  ageMs: number;
  record?: LeaseRecord;
}

/** The lease object as one version: HEAD (age by the server's clock) and GET agreeing on the ETag. */
async function inspect(client: S3Client, bucket: string, key: string): Promise<Seen | undefined> {
  for (;;) {
    const info = await client.head(bucket, key);
    if (!info) return undefined;
    const got = await client.getBytes(bucket, key, MAX_LEASE_BYTES).catch(() => undefined);
    if (got && got.etag !== info.etag) continue; // rewritten between the two: look again
    const ageMs = info.serverDateMs !== undefined && info.lastModifiedMs !== undefined ? info.serverDateMs - info.lastModifiedMs : 0;
    return { etag: info.etag, ageMs, ...(got ? { record: parseRecord(got.data) } : {}) };
  }
}

function parseRecord(data: Buffer): LeaseRecord | undefined {
  try {
    const r = JSON.parse(data.toString('utf8')) as Partial<LeaseRecord>;
    if (typeof r.pid === 'number' && typeof r.hostname === 'string' && typeof r.token === 'string' && (r.state === 'held' || r.state === 'released')) return r as LeaseRecord;
  } catch {
    // not a lease record: judged by age alone
  }
  return undefined;
}

/** Why the lease may be taken, or undefined while its holder may still be working. */
function freeReason(seen: Seen, staleAfterMs: number): string | undefined {
  if (seen.record?.state === 'released') return 'released';
  if (seen.record && seen.record.hostname === thisHost() && !isSameHostOwnerAlive(seen.record.pid, seen.record.procStart)) return `process ${seen.record.pid} on this host is gone`;
  return seen.ageMs > staleAfterMs ? `not renewed for ${Math.round(seen.ageMs / 1000)} s (server time)` : undefined;
}

function conflictAsUndefined(e: unknown): undefined {
  if (isOvirtRepoError(e) && e.code === ErrorCodes.CONFLICT) return undefined;
  throw e;
}
