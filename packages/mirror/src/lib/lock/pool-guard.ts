import { readdir, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DEFAULT_STALE_AFTER_MS, describeOwner, ErrorCodes, inspectLock, ioError, isTempName, makeDirectory, newOwner, OvirtRepoError, silentLogger, staleReason, tempPathFor, type LockOwner, type Logger } from '@ovirt-repo/core';
import type { StoreLayout } from '../store/layout.js';
import { gcLockPath, poolUsersDir } from './store-locks.js';

/**
 * The protocol that lets gc delete unreferenced pool files while syncs run, with no window in which a sync
 * can lose a package it is about to reference.
 *
 * A sync, before it looks at the pool (which files exist, which to download), registers the digests of every
 * package its new snapshot will reference that its repo's latest snapshot does not:
 * `<store>/locks/pool-users/<token>.json`. (gc never removes a latest snapshot, so it keeps the pool files
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
  readonly path: string;
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

/** True while a live gc holds the gc lock. */
async function gcRunning(layout: StoreLayout, staleAfterMs: number): Promise<LockOwner | undefined | false> {
  const o = await inspectLock(gcLockPath(layout));
  if (!o || staleReason(o, staleAfterMs)) return false;
  return o.owner;
}

export async function registerPoolUser(layout: StoreLayout, digests: Iterable<string>, options: RegisterOptions): Promise<PoolRegistration> {
  const log = options.logger ?? silentLogger;
  const staleAfter = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const timeout = options.timeoutMs ?? 30 * 60_000;
  const deadline = Date.now() + timeout;
  const owner = newOwner(options.purpose);
  const path = join(poolUsersDir(layout), `${owner.token}.json`);
  const record: RegistrationRecord = { ...owner, digests: [...new Set(digests)].sort() };
  let said = false;
  let delay = 50;
  for (;;) {
    await writeRegistration(path, JSON.stringify(record));
    const gc = await gcRunning(layout, staleAfter);
    if (gc === false) break;
    await unlink(path).catch(() => undefined);
    if (Date.now() > deadline) {
      throw new OvirtRepoError(ErrorCodes.LOCKED, `${options.purpose}: gc has held ${gcLockPath(layout)} for too long (${describeOwner(gc)})`, {
        target: gcLockPath(layout),
        hint: 'wait for gc to finish and retry',
      });
    }
    if (!said) {
      log.info(`Waiting for gc to finish (${describeOwner(gc)})`);
      said = true;
    }
    await sleep(delay * (0.5 + Math.random()));
    delay = Math.min(delay * 2, 1000);
  }
  const beat = options.heartbeatMs ?? Math.max(50, Math.min(10_000, staleAfter / 4));
  const timer = setInterval(() => {
    const t = new Date();
    void utimes(path, t, t).catch(() => undefined);
  }, beat);
  timer.unref();
  let released = false;
  return {
    path,
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await unlink(path).catch(() => undefined);
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
export async function readPoolUsers(layout: StoreLayout, options: { staleAfterMs?: number; logger?: Logger } = {}): Promise<PoolUsers> {
  const dir = poolUsersDir(layout);
  const staleAfter = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const result: PoolUsers = { digests: new Set(), users: [], removedStale: 0 };
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return result;
    throw ioError('list sync registrations', dir, e);
  }
  for (const name of names) {
    const path = join(dir, name);
    if (isTempName(name)) {
      // A registration being written: it is the writer's job to check for gc after writing; a leftover of
      // a killed writer is removed once old.
      const st = await stat(path).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs > staleAfter) await unlink(path).catch(() => undefined);
      continue;
    }
    if (!name.endsWith('.json')) continue;
    let rec: RegistrationRecord | undefined;
    let mtimeMs = Date.now();
    try {
      const [text, st] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
      mtimeMs = st.mtimeMs;
      rec = JSON.parse(text) as RegistrationRecord;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // withdrawn meanwhile
      rec = undefined;
    }
    const owner = rec && typeof rec.pid === 'number' && Array.isArray(rec.digests) ? rec : undefined;
    const reason = staleReason({ owner, ino: 0, mtimeMs }, staleAfter);
    if (reason) {
      options.logger?.debug(`removing registration of a dead sync ${path}: ${reason}`);
      await unlink(path).catch(() => undefined);
      result.removedStale++;
      continue;
    }
    if (!owner) continue; // unreadable but young: being written (cannot happen with atomic writes)
    result.users.push({ pid: owner.pid, hostname: owner.hostname, startedAt: owner.startedAt, token: owner.token, purpose: owner.purpose, procStart: owner.procStart });
    for (const d of owner.digests) result.digests.add(d);
  }
  return result;
}


/**
 * Write a registration complete-or-absent (temp file + rename) but without fsync: registrations only
 * matter while their process runs, and a crash of the machine ends every sync anyway.
 */
async function writeRegistration(path: string, body: string): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    await makeDirectory(dirname(path));
    await writeFile(tmp, body, { flag: 'wx' });
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw ioError('register running sync', path, e);
  }
}
