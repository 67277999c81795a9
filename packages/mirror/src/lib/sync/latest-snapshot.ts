import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OvirtRepoError, ioError, parseRepomd, type Logger, type Repomd } from '@ovirt-repo/core';
import { snapshotDir, type StoreLayout } from '../store/layout.js';
import { readLatest } from '../store/repo-state.js';
import { readSnapshotRecord, type SyncMode } from '../store/snapshot-record.js';
import type { Candidate } from './candidates.js';
import type { LatestSnapshot } from './context.js';

/** The repo's latest snapshot id and record (none for a new repo). */
export async function readLatestSnapshot(layout: StoreLayout, repo: string, log: Logger): Promise<LatestSnapshot> {
  const id = await readLatest(layout, repo);
  if (!id) return {};
  const record = await readSnapshotRecord(snapshotDir(layout, repo, id));
  if (!record) log.warn(`latest snapshot ${repo}/${id} has no snapshot.json; treating the repo as new`);
  return { id, ...(record ? { record } : {}) };
}

/**
 * The latest snapshot's repomd.xml. Additive mode builds on that snapshot, so it must be readable; in mirror
 * mode it only offers package entries to reuse, so a damaged one is reported and done without.
 */
export async function readLatestRepomd(layout: StoreLayout, repo: string, latest: LatestSnapshot, mode: SyncMode, log: Logger): Promise<Repomd | undefined> {
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
export function previousCandidates(layout: StoreLayout, latest: LatestSnapshot): Candidate[] {
  return (latest.record?.packages ?? []).map((p) => ({
    name: p.name,
    epoch: p.epoch,
    version: p.version,
    release: p.release,
    arch: p.arch,
    origin: -1,
    checksumType: p.checksumType,
    digest: p.digest,
    size: p.size,
    // Only a pool entry found missing would need it (to name it in the error), so it is made on demand.
    get url() {
      return pathToFileURL(join(layout.root, p.href));
    },
    fileName: p.href.split('/').at(-1) ?? '',
    poolHref: p.href,
  }));
}
