import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OvirtRepoError, ioError, parseRepomd, type Logger, type Repomd, type Store } from '@ovirt-repo/core';
import { localPathOf, snapshotDir } from '../store/layout.js';
import { readLatest } from '../store/repo-state.js';
import { readSnapshotRecord, type SnapshotPackage, type SyncMode } from '../store/snapshot-record.js';
import type { Candidate } from './candidates.js';
import type { LatestHead, LatestSnapshot } from './context.js';

/** The repo's latest snapshot id and record (none for a new repo). */
export async function readLatestSnapshot(layout: Store, repo: string, log: Logger): Promise<LatestSnapshot> {
  const id = await readLatest(layout, repo);
  if (!id) return {};
  const record = await readSnapshotRecord(layout, repo, id);
  if (!record) log.warn(`latest snapshot ${repo}/${id} has no snapshot.json; treating the repo as new`);
  return { id, ...(record ? { record } : {}) };
}

/**
 * The latest snapshot's repomd.xml. Additive mode builds on that snapshot, so it must be readable; in mirror
 * mode it only offers package entries to reuse, so a damaged one is reported and done without.
 */
export async function readLatestRepomd(layout: Store, repo: string, latest: LatestHead, mode: SyncMode, log: Logger): Promise<Repomd | undefined> {
  if (!latest.id || !latest.record) return undefined;
  const path = join(snapshotDir(layout, repo, latest.id), 'repodata', 'repomd.xml');
  try {
    return parseRepomd(await readFile(path), path);
  } catch (e) {
    const error = e instanceof OvirtRepoError ? e : ioError('read', path, e);
    if (mode === 'additive') throw error;
    log.warn(`not reusing snapshot ${repo}/${latest.id}: ${error.message}`);
    return undefined;
  }
}

/** The latest snapshot's packages as candidates (they are in the pool already). */
export function previousCandidates(layout: Store, latest: LatestSnapshot): Candidate[] {
  return (latest.record?.packages ?? []).map((p) => new PreviousCandidate(localPathOf(layout, ''), p));
}

/**
 * A class, not an object literal with getters: a repo of tens of thousands of packages makes one per
 * package on every sync, and the URL and file name are rarely needed (only to name a pool entry found
 * missing), so they are computed on demand from the prototype.
 */
class PreviousCandidate implements Candidate {
  readonly name: string;
  readonly epoch: string;
  readonly version: string;
  readonly release: string;
  readonly arch: string;
  readonly origin = -1;
  readonly checksumType: string;
  readonly digest: string;
  readonly size: number;
  readonly poolHref: string;

  constructor(
    private readonly root: string,
    p: SnapshotPackage,
  ) {
    this.name = p.name;
    this.epoch = p.epoch;
    this.version = p.version;
    this.release = p.release;
    this.arch = p.arch;
    this.checksumType = p.checksumType;
    this.digest = p.digest;
    this.size = p.size;
    this.poolHref = p.href;
  }

  get url(): URL {
    return pathToFileURL(join(this.root, this.poolHref));
  }

  get fileName(): string {
    return this.poolHref.slice(this.poolHref.lastIndexOf('/') + 1);
  }
}
