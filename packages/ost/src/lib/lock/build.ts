import { type Logger, mapLimit, type ReadUriOptions, RUN_LOCK_VERSION, type RunLock, type RunLockEntry } from '@ovirt-repo/core';
import type { InjectedSection, InsertedSection } from '../inject-text.js';
import { reachOptions, type TlsMaterial } from '../reach.js';
import { probeRepomd } from './repomd.js';

export interface LockedFile {
  path: string;
  injected: InjectedSection[];
  inserted: InsertedSection[];
  skipped: string[];
}

export interface BuildLockInput {
  files: LockedFile[];
  map: RunLock['map'];
  options: RunLock['options'];
  createdAt: Date;
  createdBy: string;
  http?: Pick<ReadUriOptions, 'tries' | 'timeoutMs' | 'retryDelayMs'>;
  /** CA and client certificate for https snapshots (--ca-cert...). */
  tls?: TlsMaterial;
  workers?: number;
  logger?: Logger;
}

/**
 * A lock for what inject did: one entry per injected repo and per inserted section (the same repo in
 * several files is one entry: a map gives a repo one URL), each with the digest of the repomd.xml its URL
 * serves now, so `lock verify` can later tell whether the run can still be reproduced.
 */
export async function buildLock(input: BuildLockInput): Promise<RunLock> {
  const seen = new Set<string>();
  const pending: Array<Omit<RunLockEntry, 'repomd'>> = [];
  for (const file of input.files) {
    // In file order: an inserted section comes before the section it was inserted in front of.
    const ordered = [
      ...file.inserted.map((s) => ({ line: s.line, rank: 0, entry: { repo: s.repo, url: s.url, before: s.before } })),
      ...file.injected.map((s) => ({ line: s.line, rank: 1, entry: { repo: s.section, url: s.url } })),
    ].sort((a, b) => a.line - b.line || a.rank - b.rank);
    for (const { entry } of ordered) add(pending, seen, entry);
  }
  const urls = [...new Set(pending.map((e) => e.url))];
  const progress = input.logger?.progress('Recording repomd.xml digests', urls.length);
  const probes = new Map(
    await mapLimit(urls, input.workers ?? 8, async (url) => {
      const probe = await probeRepomd(url, { ...input.http, ...reachOptions(input.options.allowProxy, input.tls), logger: input.logger });
      progress?.tick();
      if (probe.error && !probe.skipped) input.logger?.warn(`lock: no repomd.xml digest for ${url}: ${probe.error}`);
      return [url, probe] as const;
    }),
  );
  progress?.done(`Recorded ${urls.length} repomd.xml digests`);
  const entries: RunLockEntry[] = pending.map((e) => {
    const probe = probes.get(e.url) ?? { repomd: null };
    return { ...e, repomd: probe.repomd, ...(probe.error ? { repomdError: probe.error } : {}) };
  });
  return {
    version: RUN_LOCK_VERSION,
    createdAt: input.createdAt.toISOString(),
    createdBy: input.createdBy,
    map: input.map,
    options: input.options,
    entries,
    files: input.files.map((f) => ({
      path: f.path,
      injected: f.injected.map((s) => s.section),
      inserted: f.inserted.map((s) => s.repo),
      skipped: f.skipped,
    })),
  };
}

function add(list: Array<Omit<RunLockEntry, 'repomd'>>, seen: Set<string>, entry: Omit<RunLockEntry, 'repomd'>): void {
  const key = `${entry.repo}\u0000${entry.before ?? ''}`;
  if (seen.has(key)) return;
  seen.add(key);
  list.push(entry);
}
