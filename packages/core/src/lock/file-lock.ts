import { randomBytes } from 'node:crypto';
import { link, open, rename, stat, unlink, utimes } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ErrorCodes, OvirtRepoError, ioError } from '../errors/index.js';
import { makeDirectory, tempPathFor } from '../fs/index.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { isSameHostOwnerAlive, processStartTime, thisHost } from './process-info.js';

/**
 * Exclusive locks as files, for writers that may run on several hosts sharing a store (local disk or NFS),
 * and that may be killed at any moment (SIGKILL, OOM, a CI job cancelled).
 *
 * - Acquire: the owner record (pid, host, start time, random token, purpose) is written to a temp file and
 *   hard-linked to the lock path. link(2) fails if the lock exists, so the lock appears atomically and
 *   always complete (filesystems without hard links fall back to O_EXCL create).
 * - Heartbeat: the holder touches the lock's mtime every few seconds and checks the token is still its own.
 * - Stale: same host and the owner process is gone (pid dead, or reused by another process) -> broken at
 *   once; another host -> honoured until its heartbeat is older than `staleAfterMs`.
 * - Break: under a short `<lock>.break` guard (itself a lock), the breaker re-reads the lock, and only if it
 *   is still the same stale file (inode and token) renames it aside; so of several waiters exactly one
 *   breaks it, and nobody ever removes a lock that was re-acquired meanwhile.
 * - Waiters poll with exponential backoff and jitter, then fail with E_LOCKED naming the holder.
 */

export interface LockOwner {
  pid: number;
  hostname: string;
  /** /proc start time of the owner process, to detect pid reuse. */
  procStart?: string;
  startedAt: string;
  token: string;
  purpose: string;
}

export interface LockOptions {
  /** What the lock protects, for messages ("mirror sync of repo el9"). */
  purpose: string;
  /** How long to wait for a held lock; 0 fails at once. Default 10 minutes. */
  timeoutMs?: number;
  /** A lock from another host is stale when its heartbeat is older than this. Default 15 minutes. */
  staleAfterMs?: number;
  /** Heartbeat interval; default min(10 s, staleAfterMs / 4). */
  heartbeatMs?: number;
  /** First poll delay; doubles up to maxPollMs. */
  pollMs?: number;
  maxPollMs?: number;
  logger?: Logger;
  /** Hint for the E_LOCKED error when the wait times out. */
  hint?: string;
  /**
   * Wait at least until a lock whose holder stopped renewing it would be stale (staleAfterMs and a
   * heartbeat), even past timeoutMs: for short locks, which no live holder keeps long, so that a run
   * after one killed on another host waits out its lock instead of failing E_LOCKED.
   */
  outlastDeadHolder?: boolean;
}

export interface Lock {
  readonly path: string;
  readonly owner: LockOwner;
  /** Throws E_LOCKED if the lock was broken or replaced (our heartbeat stopped long enough, or manual removal). */
  assertHeld(): Promise<void>;
  release(): Promise<void>;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_STALE_AFTER_MS = 15 * 60_000;

/** How often a holder renews its lock: often enough that a live holder is never taken for dead. */
export function heartbeatMsOf(options: Pick<LockOptions, 'heartbeatMs'>, staleAfterMs: number): number {
  return options.heartbeatMs ?? Math.max(50, Math.min(10_000, staleAfterMs / 4));
}

/**
 * How long a waiter waits for a held lock (see LockOptions.outlastDeadHolder). Outlasting adds a heartbeat
 * and a second to the stale age: an S3 server's dates, which judge a lease's age, are whole seconds.
 */
export function lockWaitMs(options: Pick<LockOptions, 'heartbeatMs' | 'outlastDeadHolder'>, timeoutMs: number, staleAfterMs: number): number {
  return options.outlastDeadHolder ? Math.max(timeoutMs, staleAfterMs + heartbeatMsOf(options, staleAfterMs) + 1000) : timeoutMs;
}
/** A break guard is held for milliseconds; older than this it is left over from a killed breaker. */
const BREAK_GUARD_STALE_MS = 30_000;
/** A lock file without a readable owner record (corrupt, or the fallback create path) gets this grace. */
const UNREADABLE_GRACE_MS = 10_000;

export function newOwner(purpose: string): LockOwner {
  return {
    pid: process.pid,
    hostname: thisHost(),
    procStart: processStartTime('self'),
    startedAt: new Date().toISOString(),
    token: randomBytes(12).toString('hex'),
    purpose,
  };
}

interface Observed {
  owner?: LockOwner;
  ino: number;
  mtimeMs: number;
}

/** The lock file's owner and identity, or undefined when there is no lock. */
export async function inspectLock(path: string): Promise<Observed | undefined> {
  try {
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat();
      const text = await fh.readFile('utf8');
      return { owner: parseOwner(text), ino: st.ino, mtimeMs: st.mtimeMs };
    } finally {
      await fh.close();
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ioError('read lock', path, e);
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (typeof o.pid === 'number' && typeof o.hostname === 'string' && typeof o.token === 'string') return o as LockOwner;
  } catch {
    // fall through
  }
  return undefined;
}

/** Why a lock is stale (so it may be broken), or undefined while its owner may still be working. */
export function staleReason(o: Observed, staleAfterMs: number, now = Date.now()): string | undefined {
  const age = now - o.mtimeMs;
  if (!o.owner) return age > UNREADABLE_GRACE_MS ? 'its owner record is unreadable' : undefined;
  if (o.owner.hostname === thisHost()) {
    return isSameHostOwnerAlive(o.owner.pid, o.owner.procStart) ? undefined : `process ${o.owner.pid} on this host is gone`;
  }
  return age > staleAfterMs ? `no heartbeat from ${o.owner.hostname} for ${Math.round(age / 1000)} s` : undefined;
}

export function describeOwner(o: LockOwner | undefined): string {
  if (!o) return 'an unknown owner';
  return `pid ${o.pid} on ${o.hostname} since ${o.startedAt} (${o.purpose})`;
}

/** Create the lock file atomically and complete; false if it already exists. */
async function createLockFile(path: string, owner: LockOwner): Promise<boolean> {
  const body = `${JSON.stringify(owner)}\n`;
  const tmp = tempPathFor(path);
  await makeDirectory(dirname(path));
  try {
    const fh = await open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(body);
    } finally {
      await fh.close();
    }
    try {
      await link(tmp, path);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
    }
    // No hard links here: exclusive create, then fill in (readers give an unreadable lock a grace period).
    try {
      const fh2 = await open(path, 'wx', 0o644);
      try {
        await fh2.writeFile(body);
      } finally {
        await fh2.close();
      }
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  } catch (e) {
    throw ioError('create lock', path, e);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/**
 * Remove the stale lock we observed, unless it changed meanwhile. Returns true when it is gone (broken by
 * us or released by someone else), false when the caller should look again.
 */
async function breakStaleLock(path: string, observed: Observed, purpose: string): Promise<boolean> {
  const guardPath = `${path}.break`;
  const guardOwner = newOwner(`breaking stale lock for ${purpose}`);
  if (!(await createLockFile(guardPath, guardOwner))) {
    // Another waiter is breaking it right now, or a breaker was killed holding the guard.
    const guard = await inspectLock(guardPath);
    if (guard && staleReason(guard, BREAK_GUARD_STALE_MS)) await removeIfUnchanged(guardPath, guard);
    return false;
  }
  try {
    const now = await inspectLock(path);
    if (!now) return true;
    if (now.ino !== observed.ino || now.owner?.token !== observed.owner?.token) return false;
    return await removeIfUnchanged(path, now);
  } finally {
    const g = await inspectLock(guardPath);
    if (g?.owner?.token === guardOwner.token) await unlink(guardPath).catch(() => undefined);
  }
}

/** Rename the file aside, check it is the one we meant, and delete it; put it back if it was not. */
async function removeIfUnchanged(path: string, observed: Observed): Promise<boolean> {
  const aside = `${path}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw ioError('break stale lock', path, e);
  }
  const got = await inspectLock(aside);
  if (got && (got.ino !== observed.ino || got.owner?.token !== observed.owner?.token)) {
    // Not the file we judged stale: restore it (link fails only if yet another lock appeared meanwhile).
    await link(aside, path).catch(() => undefined);
    await unlink(aside).catch(() => undefined);
    return false;
  }
  await unlink(aside).catch(() => undefined);
  return true;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Try once: a Lock if we got it (breaking a stale one if needed), else the current holder. */
export async function tryAcquireLock(path: string, options: LockOptions): Promise<Lock | { heldBy: Observed }> {
  const staleAfter = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  for (let attempt = 0; attempt < 5; attempt++) {
    const owner = newOwner(options.purpose);
    if (await createLockFile(path, owner)) return holdLock(path, owner, options);
    const observed = await inspectLock(path);
    if (!observed) continue; // released in between: try again
    const reason = staleReason(observed, staleAfter);
    if (!reason) return { heldBy: observed };
    options.logger?.warn(`breaking stale lock ${path}: ${reason} (was ${describeOwner(observed.owner)})`);
    await breakStaleLock(path, observed, options.purpose);
  }
  const observed = await inspectLock(path);
  return { heldBy: observed ?? { ino: 0, mtimeMs: Date.now() } };
}

/** Acquire the lock, waiting with backoff up to `timeoutMs`. */
export async function acquireLock(path: string, options: LockOptions): Promise<Lock> {
  const log = options.logger ?? silentLogger;
  const timeout = lockWaitMs(options, options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS);
  const deadline = Date.now() + timeout;
  let delay = options.pollMs ?? 25;
  const maxDelay = options.maxPollMs ?? 1000;
  let lastSay = 0;
  for (;;) {
    const r = await tryAcquireLock(path, options);
    if (!('heldBy' in r)) return r;
    const now = Date.now();
    if (now >= deadline) {
      throw new OvirtRepoError(ErrorCodes.LOCKED, `${options.purpose}: lock ${path} is held by ${describeOwner(r.heldBy.owner)}; gave up after ${Math.round(timeout / 1000)} s`, {
        target: path,
        hint:
          options.hint ??
          `wait for that run to finish and retry (or raise --lock-timeout). A lock from a process that died on this host is broken automatically; one from another host after ${Math.round((options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS) / 60000)} min without heartbeat`,
        data: { holder: r.heldBy.owner },
      });
    }
    if (now - lastSay > 30_000) {
      log.info(`Waiting for ${path}, held by ${describeOwner(r.heldBy.owner)}`);
      lastSay = now;
    }
    const jitter = 0.5 + Math.random();
    await sleep(Math.min(delay * jitter, Math.max(0, deadline - now)));
    delay = Math.min(delay * 2, maxDelay);
  }
}

function holdLock(path: string, owner: LockOwner, options: LockOptions): Lock {
  const beat = heartbeatMsOf(options, options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS);
  let released = false;
  let lost: string | undefined;
  const check = async (): Promise<void> => {
    const o = await inspectLock(path);
    if (!o) lost = 'the lock file was removed';
    else if (o.owner?.token !== owner.token) lost = `the lock is now held by ${describeOwner(o.owner)}`;
  };
  const timer = setInterval(() => {
    void (async () => {
      if (released || lost) return;
      try {
        await check();
        if (!lost) {
          const t = new Date();
          await utimes(path, t, t);
        }
      } catch {
        // a missed heartbeat is harmless; a lost lock is caught by assertHeld before anything is published
      }
    })();
  }, beat);
  timer.unref();
  return {
    path,
    owner,
    async assertHeld() {
      if (!lost) await check();
      if (lost) {
        throw new OvirtRepoError(ErrorCodes.LOCKED, `${options.purpose}: lost lock ${path}: ${lost}`, {
          target: path,
          hint: 'another process judged this run stale and took over; nothing was published by this run, retry it',
        });
      }
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      const o = await inspectLock(path).catch(() => undefined);
      if (o?.owner?.token === owner.token) await unlink(path).catch(() => undefined);
    },
  };
}

/** Convenience: run `fn` holding the lock. */
export async function withLock<T>(path: string, options: LockOptions, fn: (lock: Lock) => Promise<T>): Promise<T> {
  const lock = await acquireLock(path, options);
  try {
    return await fn(lock);
  } finally {
    await lock.release();
  }
}

/** A quick look at a lock for status output: free, held (by whom) or stale. */
export async function lockStatus(path: string, staleAfterMs = DEFAULT_STALE_AFTER_MS): Promise<{ state: 'free' | 'held' | 'stale'; owner?: LockOwner }> {
  const o = await inspectLock(path);
  if (!o) return { state: 'free' };
  return { state: staleReason(o, staleAfterMs) ? 'stale' : 'held', owner: o.owner };
}

/** stat helper used by registrations: mtime of a file or undefined. */
export async function mtimeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}
