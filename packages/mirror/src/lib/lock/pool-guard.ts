import { DEFAULT_STALE_AFTER_MS, describeOwner, ErrorCodes, heartbeatMsOf, newOwner, OvirtRepoError, silentLogger, staleReason, type LockOwner, type Logger, type Store } from '@ovirt-repo/core';
import { GC_LOCK, POOL_USERS } from './store-locks.js';

/**
 * The protocol that lets gc delete unreferenced pool files while syncs run, with no window in which a sync
 * can lose a package it is about to reference.
 *
 * A sync, before it looks at the pool (which files exist, which to download), registers the digests of every
 * package its new snapshot will reference that its repo's latest snapshot does not:
 * `locks/pool-users/<token>.json`. (gc never removes a latest snapshot, so it keeps the pool files
 * that one references; and it stays latest until the sync publishes, since the sync holds the repo's
 * writer lock. A deploy that adds one build to a large repo registers one digest.) It then checks for the
 * gc lock; if gc is running it withdraws the registration, waits for gc to finish and registers again.
 * gc takes its exclusive lock first and only then reads the registrations, then the snapshots.
 *
 * Why there is no window: if the sync saw no gc lock, its registration was written before gc took the lock,
 * so gc reads it and keeps those digests. If gc read the registrations before the sync wrote its own, gc's
 * lock already existed, so the sync saw it and waited. gc reads registrations before snapshots, so a sync
 * that publishes and withdraws in between is covered by the snapshot it published. Registrations of dead
 * processes (same host: pid gone; other host: heartbeat older than the stale age) are ignored and removed.
 */

export interface PoolRegistration {
  /** Its key in the store. */
  readonly key: string;
  /** Withdraw (the snapshot is published, or the sync failed). */
  release(): Promise<void>;
}

interface RegistrationRecord extends LockOwner {
  digests: string[];
}

export interface RegisterOptions {
  purpose: string;
  logger?: Logger;
  /** How long to wait for a running gc. Default 30 minutes. */
  timeoutMs?: number;
  staleAfterMs?: number;
  heartbeatMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function registerPoolUser(store: Store, digests: Iterable<string>, options: RegisterOptions): Promise<PoolRegistration> {
  const log = options.logger ?? silentLogger;
  const staleAfter = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const timeout = options.timeoutMs ?? 30 * 60_000;
  const deadline = Date.now() + timeout;
  const owner = newOwner(options.purpose);
  const key = `${POOL_USERS}/${owner.token}.json`;
  const body = JSON.stringify({ ...owner, digests: [...new Set(digests)].sort() } satisfies RegistrationRecord);
  let said = false;
  let delay = 50;
  let version: string;
  for (;;) {
    version = await store.replace(key, body, null);
    // The store's own staleness for its locks (an S3 lease's is shorter than a registration's).
    const gc = await store.lockHolder(GC_LOCK, { staleAfterMs: options.staleAfterMs });
    if (!gc) break;
    await store.remove(key).catch(() => undefined);
    if (Date.now() > deadline) {
      throw new OvirtRepoError(ErrorCodes.LOCKED, `${options.purpose}: gc has held its lock in ${store.location} for too long (${describeOwner(gc.owner)})`, {
        target: store.location,
        hint: 'wait for gc to finish and retry',
      });
    }
    if (!said) {
      log.info(`Waiting for gc to finish (${describeOwner(gc.owner)})`);
      said = true;
    }
    await sleep(delay * (0.5 + Math.random()));
    delay = Math.min(delay * 2, 1000);
  }
  // The heartbeat: rewriting the registration gives it a fresh modification time, which is what tells gc it is alive.
  const beat = heartbeatMsOf(options, staleAfter);
  let pending: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    pending = pending.then(() => store.replace(key, body, version).catch(() => undefined));
  }, beat);
  timer.unref();
  let released = false;
  return {
    key,
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await pending;
      await store.remove(key).catch(() => undefined);
    },
  };
}

export interface PoolUsers {
  /** Digests some running sync is about to reference. */
  digests: Set<string>;
  users: LockOwner[];
  /** Registrations of dead processes that were removed. */
  removedStale: number;
}

/** Read every live registration (call while holding the gc lock). */
export async function readPoolUsers(store: Store, options: { staleAfterMs?: number; logger?: Logger } = {}): Promise<PoolUsers> {
  const staleAfter = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const result: PoolUsers = { digests: new Set(), users: [], removedStale: 0 };
  // A registration being written is the writer's to check for gc afterwards; one a killed writer left half
  // written is removed once old.
  await store.removeLeftovers(POOL_USERS, { olderThanMs: staleAfter });
  for (const entry of await store.list(POOL_USERS)) {
    if (entry.type !== 'object' || !entry.key.endsWith('.json')) continue;
    let rec: RegistrationRecord | undefined;
    try {
      const found = await store.read(entry.key, { maxBytes: 64 * 1024 * 1024 });
      if (!found) continue; // withdrawn meanwhile
      rec = JSON.parse(found.data.toString('utf8')) as RegistrationRecord;
    } catch {
      rec = undefined;
    }
    const owner = rec && typeof rec.pid === 'number' && Array.isArray(rec.digests) ? rec : undefined;
    const reason = staleReason({ owner, ino: 0, mtimeMs: entry.mtimeMs ?? Date.now() }, staleAfter);
    if (reason) {
      options.logger?.debug(`removing registration of a dead sync ${store.locationOf(entry.key)}: ${reason}`);
      await store.remove(entry.key).catch(() => undefined);
      result.removedStale++;
      continue;
    }
    if (!owner) continue; // unreadable but young: being written (cannot happen with atomic writes)
    result.users.push({ pid: owner.pid, hostname: owner.hostname, startedAt: owner.startedAt, token: owner.token, purpose: owner.purpose, procStart: owner.procStart });
    for (const d of owner.digests) result.digests.add(d);
  }
  return result;
}
