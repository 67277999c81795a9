import type { Store } from '@ovirt-repo/core';
import { snapshotUrl } from '../store/layout.js';
import { describePending, finishCommand, listPending } from '../store/pending.js';
import { readPins } from '../store/pins.js';
import { listRepos, listSnapshotIds, readLatest } from '../store/repo-state.js';

export interface RepoSummary {
  repo: string;
  /** The latest snapshot; absent for a repo that has none yet. */
  latest?: string;
  /** Its URL, when a base URL is known. */
  url?: string;
  snapshots: number;
  pins: { id: string; reason?: string }[];
}

export interface PendingSummary {
  repo: string;
  /** What was interrupted, in words, and the command that finishes it. */
  state: string;
  finish: string;
}

export interface ListReposResult {
  repos: RepoSummary[];
  /** Repos a delete or rename was working on when it was interrupted: out of every listing until finished. */
  pending: PendingSummary[];
}

/** Every repo of the store with its latest snapshot, snapshot count and pins. */
export async function listRepoSummaries(store: Store, options: { baseUrl?: string } = {}): Promise<ListReposResult> {
  const repos: RepoSummary[] = [];
  for (const repo of await listRepos(store)) {
    const [latest, ids, pins] = await Promise.all([readLatest(store, repo), listSnapshotIds(store, repo), readPins(store, repo)]);
    repos.push({
      repo,
      ...(latest ? { latest } : {}),
      ...(latest && options.baseUrl ? { url: snapshotUrl(options.baseUrl, repo, latest) } : {}),
      snapshots: ids.length,
      pins: [...pins.values()].map((p) => ({ id: p.id, ...(p.reason ? { reason: p.reason } : {}) })).sort((a, b) => (a.id < b.id ? -1 : 1)),
    });
  }
  const pending = (await listPending(store)).map((m) => ({ repo: m.repo, state: describePending(m), finish: finishCommand(m) }));
  return { repos, pending };
}
