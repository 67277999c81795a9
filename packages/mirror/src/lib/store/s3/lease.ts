import { setTimeout as sleep } from 'node:timers/promises';
import {
  DEFAULT_STALE_AFTER_MS, describeOwner, ErrorCodes, formatS3Location, isOvirtRepoError, newOwner, OvirtRepoError, readBounded, silentLogger, unquote,
  type LockOptions, type LockOwner, type StoreLock,
} from '@ovirt-repo/core';
import { NO_CACHE } from '../caching.js';
import type { S3Namespace } from './namespace.js';

const DEFAULT_LOCK_TIMEOUT_MS = 10 * 60_000;
const MAX_LEASE_BYTES = 64 * 1024;

/** What a lease object holds: its holder, or that it was released (it is never deleted: see release()). */
interface LeaseBody {
  state: 'held' | 'released';
  owner?: LockOwner;
}

/** A lease as read: its body, its ETag (bare) and its age by the server's clock (undefined when unknown). */
interface Observed {
  body: LeaseBody | undefined;
  etag: string;
  ageMs: number | undefined;
}

const isConflict = (e: unknown) => isOvirtRepoError(e) && e.code === ErrorCodes.CONFLICT;
const encode = (body: LeaseBody) => `${JSON.stringify(body)}\n`;

/**
 * Writer locks of an S3 store as leases: the object `.ovirt-repo/locks/<name>`, created create-only
 * (If-None-Match: *) holding its owner, renewed by compare-and-swap (If-Match its ETag) on a heartbeat,
 * stale when its Last-Modified is older than staleAfterMs by the server's clock (the Date of the same
 * answer: hosts' clocks are never compared), then taken over by compare-and-swap from the ETag read, so of
 * several waiters exactly one wins. Released by a compare-and-swap to a released state, never by a DELETE,
 * which S3 cannot make conditional: it could remove a lease taken over meanwhile. The commit protocol does
 * not rest on leases (commits are create-only, pointers move by compare-and-swap); a lease saves the work
 * a second writer would waste.
 */
export class Leases {
  constructor(
    private readonly ns: S3Namespace,
    /** The default staleness when a caller gives none. */
    private readonly staleAfterMs = DEFAULT_STALE_AFTER_MS,
  ) {}

  async lock(name: string, options: LockOptions): Promise<StoreLock> {
    const key = this.#key(name);
    const where = formatS3Location(this.ns.bucket, key);
    const log = options.logger ?? silentLogger;
    const staleAfter = options.staleAfterMs ?? this.staleAfterMs;
    const timeout = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    const deadline = Date.now() + timeout;
    const owner = newOwner(options.purpose);
    const held = encode({ state: 'held', owner });
    let delay = options.pollMs ?? 50;
    for (;;) {
      const etag = await this.#put(key, held, { ifNoneMatch: '*' });
      if (etag !== undefined) return this.#hold(name, key, where, owner, etag, options, staleAfter);
      const seen = await this.#read(key);
      if (seen && (seen.body?.state === 'released' || isStale(seen, staleAfter))) {
        const taken = await this.#put(key, held, { ifMatch: seen.etag });
        if (taken !== undefined) {
          if (seen.body?.state !== 'released') log.warn(`${options.purpose}: broke the lock ${where} of ${describeOwner(seen.body?.owner)}: no heartbeat for ${Math.round((seen.ageMs ?? 0) / 1000)} s by the server's clock`);
          return this.#hold(name, key, where, owner, taken, options, staleAfter);
        }
        continue;
      }
      if (!seen) continue;
      const now = Date.now();
      if (now >= deadline) {
        throw new OvirtRepoError(ErrorCodes.LOCKED, `${options.purpose}: lock ${where} is held by ${describeOwner(seen.body?.owner)}; gave up after ${Math.round(timeout / 1000)} s`, {
          target: where,
          hint: options.hint ?? `wait for that run to finish and retry (or raise --lock-timeout). A lock whose holder died is broken after ${Math.round(staleAfter / 60_000)} min without heartbeat, by the S3 server's clock`,
          data: { holder: seen.body?.owner },
        });
      }
      await sleep(Math.min(delay * (0.5 + Math.random()), Math.max(0, deadline - now)));
      delay = Math.min(delay * 2, options.maxPollMs ?? 2000);
    }
  }

  async holder(name: string, options: { staleAfterMs?: number } = {}): Promise<{ owner?: LockOwner } | undefined> {
    const seen = await this.#read(this.#key(name));
    if (!seen || seen.body?.state === 'released' || isStale(seen, options.staleAfterMs ?? this.staleAfterMs)) return undefined;
    return seen.body?.owner ? { owner: seen.body.owner } : {};
  }

  #key(name: string): string {
    if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._+-]{0,199}$/.test(name)) {
      throw new OvirtRepoError(ErrorCodes.UNSAFE_PATH, `lock: "${String(name)}" is not a lock name (one segment of letters, digits, . _ + -)`, { hint: 'name locks like repo-<repo>' });
    }
    return this.ns.reservedKey(`locks/${name}`);
  }

  /** The new bare ETag, or undefined when the condition failed. */
  async #put(key: string, body: string, condition: { ifNoneMatch?: '*'; ifMatch?: string }): Promise<string | undefined> {
    try {
      return unquote((await this.ns.client.put(this.ns.bucket, key, body, { ...condition, contentType: 'application/json', cacheControl: NO_CACHE })).etag);
    } catch (e) {
      if (isConflict(e)) return undefined;
      throw e;
    }
  }

  async #read(key: string): Promise<Observed | undefined> {
    const got = await this.ns.client.get(this.ns.bucket, key);
    if (!got) return undefined;
    const data = await readBounded(got.stream, MAX_LEASE_BYTES);
    let body: LeaseBody | undefined;
    try {
      const parsed = JSON.parse(data?.toString('utf8') ?? '') as Partial<LeaseBody>;
      if (parsed.state === 'released' || (parsed.state === 'held' && typeof parsed.owner?.token === 'string')) body = parsed as LeaseBody;
    } catch {
      body = undefined;
    }
    const age = got.serverDateMs !== undefined && got.lastModifiedMs !== undefined ? got.serverDateMs - got.lastModifiedMs : undefined;
    return { body, etag: unquote(got.etag), ageMs: age };
  }

  #hold(name: string, key: string, where: string, owner: LockOwner, etag: string, options: LockOptions, staleAfter: number): StoreLock {
    const log = options.logger ?? silentLogger;
    const body = encode({ state: 'held', owner });
    let current = etag;
    let lost: string | undefined;
    let released = false;
    // Renewals and the release take turns, so a release never races a renewal of the same ETag.
    let turn: Promise<unknown> = Promise.resolve();
    const inTurn = <T>(fn: () => Promise<T>): Promise<T> => {
      const next = turn.then(fn, fn);
      turn = next.catch(() => undefined);
      return next;
    };
    const renew = () =>
      inTurn(async () => {
        if (released || lost) return;
        try {
          const next = await this.#put(key, body, { ifMatch: current });
          if (next === undefined) lost = 'it was taken over by another writer (its heartbeat came too late)';
          else current = next;
        } catch (e) {
          // A missed heartbeat is harmless while the lease is younger than staleAfterMs; assertHeld tells.
          log.warn(`${options.purpose}: could not renew the lock ${where}: ${(e as Error).message}`);
        }
      });
    const beat = options.heartbeatMs ?? Math.max(50, Math.min(10_000, staleAfter / 4));
    const timer = setInterval(() => void renew(), beat);
    timer.unref();
    return {
      name,
      owner,
      assertHeld: async () => {
        if (!lost) {
          const info = await this.ns.client.head(this.ns.bucket, key);
          if (!info || unquote(info.etag) !== current) lost = 'another writer holds it now';
        }
        if (lost) {
          throw new OvirtRepoError(ErrorCodes.LOCKED, `${options.purpose}: lost lock ${where}: ${lost}`, {
            target: where,
            hint: 'another writer judged this run stale and took over; nothing was published by this run, retry it',
          });
        }
      },
      release: () =>
        inTurn(async () => {
          if (released) return;
          released = true;
          clearInterval(timer);
          if (lost) return;
          // Conditional: a lease taken over meanwhile is the new holder's and stays as it is.
          await this.#put(key, encode({ state: 'released' }), { ifMatch: current });
        }),
    };
  }
}

function isStale(seen: Observed, staleAfterMs: number): boolean {
  return seen.ageMs !== undefined && seen.ageMs > staleAfterMs;
}
