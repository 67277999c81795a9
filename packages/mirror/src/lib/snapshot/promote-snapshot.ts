import { ErrorCodes, OvirtRepoError, isStagedWriteCapable, silentLogger, type StagedWrite, type Store } from '@ovirt-repo/core';
import { writeIndex } from '../index/write-index.js';
import { registerPoolUser } from '../lock/pool-guard.js';
import { repoLockName, withStoreLock } from '../lock/store-locks.js';
import { DEFAULT_REPO_LOCK_TIMEOUT_MS, type RepoLockOptions } from '../repo/delete-repo.js';
import { rollForward } from '../store/history.js';
import { SNAPSHOT_POOL_LINK, SNAPSHOT_POOL_TARGET, SNAPSHOT_RECORD, SNAPSHOT_SUMMARY, defaultBaseUrl, parsePoolHref, snapshotKey, snapshotUrl } from '../store/layout.js';
import { validateRepoName } from '../store/names.js';
import { assertNotPending } from '../store/pending.js';
import { recordFileText } from '../store/record-file.js';
import { listSnapshotIds } from '../store/repo-state.js';
import { nextSnapshotId } from '../store/snapshot-id.js';
import { readSnapshotRecord, type SnapshotRecord } from '../store/snapshot-record.js';
import { assertOwnParts } from '../store/store-parts.js';
import { publishSnapshot } from '../sync/commit/publish-snapshot.js';
import { pauseForTest } from '../sync/shared/test-hooks.js';
import { diffPackages } from './diff-snapshots.js';
import { loadSnapshot, resolveSnapshotId } from './show-snapshot.js';
import { summaryOf } from './summarize-snapshot.js';

export interface PromoteOptions extends RepoLockOptions {
  /** The new snapshot's time (tests); default now. */
  now?: number;
}

export interface PromoteResult {
  /** The snapshot promoted. */
  from: { repo: string; id: string };
  repo: string;
  /** The new snapshot of `repo`, now its latest. */
  snapshot: string;
  url: string;
  /** The latest snapshot of `repo` before (absent: the repo was made by this promote). */
  parent?: string;
  packages: number;
  /** The source was signed: the promoted snapshot carries its repomd.xml, signature and key unchanged. */
  signed: boolean;
}

/**
 * Make the content of snapshot `repo`/`id` the new latest snapshot of `to` (made when missing): a new
 * snapshot id in `to`, committed as a sync commits (history record on `to`'s head, latest.txt moved by
 * compare-and-swap, under `to`'s writer lock), whose repodata, signature and key are the source's bytes and
 * whose snapshot.json records where it came from. No package is copied: the pool is shared, and the packages
 * are registered as in use (pool-guard.ts) until the commit, so a gc meanwhile keeps them.
 */
export async function promoteSnapshot(store: Store, repo: string, idArg: string, to: string, options: PromoteOptions = {}): Promise<PromoteResult> {
  const log = options.logger ?? silentLogger;
  validateRepoName(repo);
  validateRepoName(to);
  await assertOwnParts(store);
  if (!isStagedWriteCapable(store)) {
    throw new OvirtRepoError(ErrorCodes.STORE, `store ${store.location} cannot stage a snapshot, which snapshot promote needs`, {
      target: store.location,
      hint: 'promote in a store of a kind that can be written (a directory, s3://)',
    });
  }
  const baseUrl = options.baseUrl ?? defaultBaseUrl(store);
  await assertNotPending(store, repo);
  const id = await resolveSnapshotId(store, repo, idArg);
  const source = await loadSnapshot(store, repo, id);
  const digests = source.packages.flatMap((p) => parsePoolHref(p.href)?.digest ?? []);
  const registration = await registerPoolUser(store, digests, { purpose: `snapshot promote of ${repo}/${id} to ${to}`, logger: log, staleAfterMs: options.staleAfterMs });
  let result: PromoteResult;
  try {
    const lockOptions = { purpose: `snapshot promote of ${repo}/${id} to ${to}`, timeoutMs: options.lockTimeoutMs ?? DEFAULT_REPO_LOCK_TIMEOUT_MS, staleAfterMs: options.staleAfterMs, logger: log };
    result = await withStoreLock(store, repoLockName(to), lockOptions, async () => {
      await assertNotPending(store, to);
      const parent = await rollForward(store, to, log);
      const now = options.now ?? Date.now();
      const snapshot = nextSnapshotId(await listSnapshotIds(store, to), now);
      const staged = await store.stage(snapshotKey(to, snapshot));
      try {
        await copySnapshotFiles(store, snapshotKey(repo, id), staged);
        const { packages, ...rest } = source;
        const head = { ...withoutLineage(rest), repo: to, id: snapshot, createdAt: new Date(now).toISOString(), ...(parent ? { parent } : {}), promotedFrom: { repo, id } };
        await staged.write(SNAPSHOT_RECORD, recordFileText({ ...head, packages }));
        const before = parent ? ((await readSnapshotRecord(store, to, parent).catch(() => undefined))?.packages ?? []) : [];
        await staged.write(SNAPSHOT_SUMMARY, `${JSON.stringify(summaryOf(head, parent, diffPackages(before, packages)), null, 1)}\n`);
        await pauseForTest('promote-staged');
        if (!(await publishSnapshot(store, to, snapshot, staged, parent, now))) {
          throw new OvirtRepoError(ErrorCodes.CONFLICT, `another writer committed a snapshot of ${to} on ${parent ?? 'its empty history'} first; ${repo}/${id} was not promoted`, {
            target: store.locationOf(snapshotKey(to, snapshot)),
            hint: 'a writer bypassed the repo lock; run the promote again',
          });
        }
      } catch (e) {
        await staged.discard().catch(() => undefined);
        throw e;
      }
      log.debug(`promoted ${repo}/${id} to ${to}/${snapshot}`);
      return { from: { repo, id }, repo: to, snapshot, url: snapshotUrl(baseUrl, to, snapshot), ...(parent ? { parent } : {}), packages: source.stats.packages, signed: Boolean(source.signature) };
    });
  } finally {
    await registration.release();
  }
  await writeIndex(store, { baseUrl, logger: log });
  return result;
}

/** The source's own lineage (its parent, an earlier promotion) says nothing about the new snapshot. */
function withoutLineage(head: Omit<SnapshotRecord, 'packages'>): Omit<SnapshotRecord, 'packages' | 'parent' | 'promotedFrom'> {
  const { parent: _parent, promotedFrom: _from, ...rest } = head;
  return rest;
}

/**
 * Every file of the snapshot at `from` but its record and summary (written anew), as it is: repodata,
 * signature, key. The pool link is made anew (its target is always the same), never copied from the source.
 */
async function copySnapshotFiles(store: Store, from: string, staged: StagedWrite): Promise<void> {
  for (const e of await store.list(from, { recursive: true })) {
    const rel = e.key.slice(from.length + 1);
    if (rel === SNAPSHOT_RECORD || rel === SNAPSHOT_SUMMARY) continue;
    if (e.type === 'link') {
      if (rel === SNAPSHOT_POOL_LINK) await staged.symlink?.(SNAPSHOT_POOL_LINK, SNAPSHOT_POOL_TARGET);
      continue;
    }
    const opened = await store.open(e.key);
    if (!opened) {
      throw new OvirtRepoError(ErrorCodes.NOT_FOUND, `${store.locationOf(e.key)} vanished while it was being promoted`, {
        target: store.locationOf(e.key),
        hint: 'the snapshot was removed meanwhile (gc, repo delete); pin a snapshot before promoting it if gc may remove it',
      });
    }
    await staged.write(rel, opened.stream);
  }
}
