import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCodes, isOvirtRepoError, OvirtRepoError } from '../errors/index.js';
import { describeOwner, heartbeatMsOf, lockWaitMs, newOwner, type LockOptions, type LockOwner } from '../lock/file-lock.js';
import { isSameHostOwnerAlive, thisHost } from '../lock/process-info.js';
import { silentLogger } from '../log/logger.js';
import { unquote } from './answers.js';
import { NO_CACHE } from './cache-control.js';
import { formatS3Location } from './location.js';
import type { S3Client } from './types.js';

/**
 * An exclusive writer lease as one S3 object, for writers on any number of hosts sharing a bucket (the
 * store's writer locks and the s3 publish target's lock):
 * - acquire: create-only PUT (If-None-Match: *) of the owner record;
 * - heartbeat: the holder rewrites it by compare-and-swap on its ETag (If-Match, the bare ETag: Ceph RGW
 *   16.2 honours no other form), so it notices at once when someone else took it over;
 * - stale: its Last-Modified is older than `staleAfterMs` by the SERVER's clock (the Date of the same
 *   answer), never this host's, so a host with a wrong clock neither breaks live leases nor keeps dead
 *   ones; a holder on this host whose process is gone is stale at once;
 * - break and re-take of a released lease: a compare-and-swap on the ETag that was judged, so of several
 *   waiters exactly one wins and a lease renewed meanwhile is never broken;
 * - release: a compare-and-swap to a released record, never an unconditional delete (S3 has no conditional
 *   DELETE), which could remove a lease taken over meanwhile. The released object stays (a few hundred
 *   bytes) and is re-taken by CAS.
 * Every record carries a fresh renewal count, so its ETag (the MD5 of a single PUT) changes with each write.
 * Correctness of what the holder writes must not rest on the lease alone: a holder that stalls past
 * staleAfterMs loses it, which assertHeld() and `lost` tell.
 */
export interface S3LeaseOptions extends LockOptions {
  /** How long to wait for a held lease; default 0: E_LOCKED at once. */
  timeoutMs?: number;
  /** Default DEFAULT_LEASE_STALE_MS. */
  staleAfterMs?: number;
}

export interface S3Lease {
  readonly owner: LockOwner;
  /** Where the lease object is. */
  readonly location: string;
  /** Set once a renewal found the lease taken over (or gone): the holder must stop writing. */
  readonly lost: OvirtRepoError | undefined;
  /** Throws E_LOCKED unless the lease object is still ours. */
  assertHeld(): Promise<void>;
  /** Stop renewing and mark the lease released, unless it was taken over meanwhile. Safe to call twice. */
  release(): Promise<void>;
}

/** The lease object's content. */
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
  const timeoutMs = lockWaitMs(options, options.timeoutMs ?? 0, staleAfterMs);
  const deadline = Date.now() + timeoutMs;
  const owner = newOwner(options.purpose);
  let renewal = 0;
  const body = (state: LeaseRecord['state']) => `${JSON.stringify({ ...owner, state, renewal: renewal++ } satisfies LeaseRecord)}\n`;
  const put = (data: string, condition: { ifNoneMatch?: '*'; ifMatch?: string }) => putConditional(client, bucket, key, data, condition);

  let etag: string | undefined;
  let delay = options.pollMs ?? 50;
  while (etag === undefined) {
    etag = await put(body('held'), { ifNoneMatch: '*' });
    if (etag !== undefined) break;
    const seen = await inspect(client, bucket, key);
    if (!seen) continue; // removed by hand between the two requests: create again
    const free = freeReason(seen, staleAfterMs);
    if (free) {
      etag = await put(body('held'), { ifMatch: seen.etag });
      if (etag !== undefined && seen.record?.state !== 'released') log.warn(`${where}: broke the lease of ${describeOwner(seen.record)}: ${free}`);
      continue;
    }
    const now = Date.now();
    if (now >= deadline) {
      throw new OvirtRepoError(ErrorCodes.LOCKED, `${options.purpose}: the lease ${where} is held by ${describeOwner(seen.record)}${timeoutMs > 0 ? `; gave up after ${Math.round(timeoutMs / 1000)} s` : ''}`, {
        target: where,
        hint: options.hint ?? `wait for that run to finish and retry; a lease whose holder died is broken after ${Math.round(staleAfterMs / 1000)} s without renewal (by the S3 server's clock)`,
        data: { holder: seen.record },
      });
    }
    // Backoff with jitter, so waiters on many hosts do not poll in step.
    await sleep(Math.min(delay * (0.5 + Math.random()), deadline - now));
    delay = Math.min(delay * 2, options.maxPollMs ?? 2000);
  }
  return hold(client, bucket, key, { where, owner, etag, staleAfterMs, options, body, put });
}

/**
 * Who holds the lease at `key`: undefined when there is none, it was released or its holder is dead (see
 * freeReason); `owner` is missing when the object holds no lease record.
 */
export async function readS3LeaseHolder(client: S3Client, bucket: string, key: string, options: { staleAfterMs?: number } = {}): Promise<{ owner?: LockOwner } | undefined> {
  const seen = await inspect(client, bucket, key);
  if (!seen || freeReason(seen, options.staleAfterMs ?? DEFAULT_LEASE_STALE_MS)) return undefined;
  if (!seen.record) return {};
  const { state: _state, renewal: _renewal, ...owner } = seen.record;
  return { owner };
}

interface Held {
  where: string;
  owner: LockOwner;
  etag: string;
  staleAfterMs: number;
  options: S3LeaseOptions;
  body: (state: LeaseRecord['state']) => string;
  put: (data: string, condition: { ifMatch: string }) => Promise<string | undefined>;
}

function hold(client: S3Client, bucket: string, key: string, held: Held): S3Lease {
  const { where, options, body, put } = held;
  const log = options.logger ?? silentLogger;
  let etag: string | undefined = held.etag;
  let lost: OvirtRepoError | undefined;
  const loseIt = (why: string) => {
    lost ??= new OvirtRepoError(ErrorCodes.LOCKED, `${options.purpose}: lost lock ${where}: this run lost the lease, ${why}`, {
      target: where,
      hint: 'another writer took it over (this run stalled longer than the lease lasts, or the lease was removed by hand); run again',
    });
    log.warn(lost.message);
  };
  // Renewals and the release take turns, so a release never races a renewal of the same ETag.
  let turn: Promise<void> = Promise.resolve();
  const inTurn = (fn: () => Promise<void>): Promise<void> => {
    const next = turn.then(fn);
    turn = next.catch(() => undefined);
    return next;
  };
  const heartbeatMs = heartbeatMsOf(options, held.staleAfterMs);
  const timer = setInterval(
    () =>
      void inTurn(async () => {
        if (lost || etag === undefined) return;
        try {
          const next = await put(body('held'), { ifMatch: etag });
          if (next === undefined) loseIt('another writer took it over');
          else etag = next;
        } catch (e) {
          // A missed renewal is harmless while the lease is younger than staleAfterMs; assertHeld tells.
          log.debug(`${where}: lease renewal failed, retried at the next beat: ${(e as Error).message}`);
        }
      }),
    heartbeatMs,
  );
  timer.unref();

  return {
    owner: held.owner,
    location: where,
    get lost() {
      return lost;
    },
    async assertHeld() {
      if (!lost) {
        const now = await client.head(bucket, key);
        if (!now || unquote(now.etag) !== etag) loseIt(now ? 'another writer took it over' : 'it was removed');
      }
      if (lost) throw lost;
    },
    release: () =>
      inTurn(async () => {
        clearInterval(timer);
        if (lost || etag === undefined) return;
        const last = etag;
        etag = undefined;
        // Conditional: a lease taken over meanwhile is the new holder's and stays as it is.
        await put(body('released'), { ifMatch: last });
      }),
  };
}

/** A conditional PUT of a lease record: its new bare ETag, or undefined when the condition failed. */
async function putConditional(client: S3Client, bucket: string, key: string, data: string, condition: { ifNoneMatch?: '*'; ifMatch?: string }): Promise<string | undefined> {
  try {
    return unquote((await client.put(bucket, key, data, { ...condition, contentType: 'application/json', cacheControl: NO_CACHE })).etag);
  } catch (e) {
    if (isOvirtRepoError(e) && e.code === ErrorCodes.CONFLICT) return undefined;
    throw e;
  }
}

interface Seen {
  /** Bare. */
  etag: string;
  /** By the server's clock; undefined when the server gave no Date or Last-Modified. */
  ageMs: number | undefined;
  record?: LeaseRecord;
}

/** The lease object as one version: HEAD (age by the server's clock) and GET agreeing on the ETag. */
async function inspect(client: S3Client, bucket: string, key: string): Promise<Seen | undefined> {
  for (;;) {
    const info = await client.head(bucket, key);
    if (!info) return undefined;
    const got = await client.getBytes(bucket, key, MAX_LEASE_BYTES).catch(() => undefined);
    if (got && got.etag !== info.etag) continue; // rewritten between the two: look again
    const ageMs = info.serverDateMs !== undefined && info.lastModifiedMs !== undefined ? info.serverDateMs - info.lastModifiedMs : undefined;
    const record = got ? parseRecord(got.data) : undefined;
    return { etag: unquote(info.etag), ageMs, ...(record ? { record } : {}) };
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
  return seen.ageMs !== undefined && seen.ageMs > staleAfterMs ? `not renewed for ${Math.round(seen.ageMs / 1000)} s (server time)` : undefined;
}
