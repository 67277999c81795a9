import { resolve } from 'node:path';
import { type Logger, mapLimit, type NetworkSettings, readRunLock, type ReadUriOptions, type RunLockRepomd, silentLogger } from '@ovirt-repo/core';
import { reachOptions, tlsMaterial } from '../reach.js';
import { probeRepomd } from './repomd.js';

/**
 * - unchanged: the URL serves the recorded repomd.xml;
 * - changed: it serves a different one (the snapshot was modified or the URL is not a snapshot);
 * - missing: the server answers but has no repomd.xml there (404, deleted snapshot, missing file);
 * - unreachable: the server could not be reached;
 * - unrecorded: the lock has no digest to compare with (the URL was unreadable when it was written);
 * - skipped: the URL uses dnf variables and is not fetched.
 */
export type LockEntryStatus = 'unchanged' | 'changed' | 'missing' | 'unreachable' | 'unrecorded' | 'skipped';

/** Statuses that make a lock fail verification. */
export const FAILING_STATUSES: readonly LockEntryStatus[] = ['changed', 'missing', 'unreachable'];

export interface VerifiedLockEntry {
  repo: string;
  url: string;
  before?: string;
  status: LockEntryStatus;
  expected: RunLockRepomd | null;
  actual: RunLockRepomd | null;
  error?: string;
}

export interface VerifyLockResult {
  lock: string;
  ok: boolean;
  entries: VerifiedLockEntry[];
  counts: Record<LockEntryStatus, number>;
}

export interface VerifyLockOptions {
  allowProxy?: boolean;
  /** --ca-cert, --client-cert, --client-key for https snapshots. */
  tls?: NetworkSettings;
  http?: Pick<ReadUriOptions, 'tries' | 'timeoutMs' | 'retryDelayMs'>;
  /** Parallel requests (default 8). */
  workers?: number;
  logger?: Logger;
}

/**
 * The reproducibility check: does every URL a lock recorded still serve the repomd.xml it served then?
 * Proxies follow the lock's own setting unless `allowProxy` is given.
 */
export async function verifyLock(path: string, options: VerifyLockOptions = {}): Promise<VerifyLockResult> {
  const file = resolve(path);
  const lock = await readRunLock(file);
  const log = options.logger ?? silentLogger;
  const allowProxy = options.allowProxy ?? lock.options.allowProxy;
  const reach = reachOptions(allowProxy, await tlsMaterial(options.tls, log));
  const progress = log.progress('Checking repomd.xml', lock.entries.length);
  const entries = await mapLimit(lock.entries, options.workers ?? 8, async (entry): Promise<VerifiedLockEntry> => {
    const probe = await probeRepomd(entry.url, { ...options.http, ...reach, logger: log });
    progress.tick();
    const base = { repo: entry.repo, url: entry.url, ...(entry.before ? { before: entry.before } : {}), expected: entry.repomd, actual: probe.repomd };
    if (probe.skipped) return { ...base, status: 'skipped', error: probe.error };
    if (!probe.repomd) return { ...base, status: probe.unreachable ? 'unreachable' : 'missing', error: probe.error };
    if (!entry.repomd) return { ...base, status: 'unrecorded', error: entry.repomdError };
    const same = entry.repomd.sha256 === probe.repomd.sha256 && entry.repomd.size === probe.repomd.size;
    return { ...base, status: same ? 'unchanged' : 'changed' };
  });
  const counts: Record<LockEntryStatus, number> = { unchanged: 0, changed: 0, missing: 0, unreachable: 0, unrecorded: 0, skipped: 0 };
  entries.forEach((e) => counts[e.status]++);
  progress.done(`Checked ${entries.length} locked repos`);
  return { lock: file, ok: entries.every((e) => !FAILING_STATUSES.includes(e.status)), entries, counts };
}
