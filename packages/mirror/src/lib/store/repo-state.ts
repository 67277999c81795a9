import { ErrorCodes, OvirtRepoError, type Store } from '@ovirt-repo/core';
import { readHead } from './history.js';
import { PENDING_SUFFIX, YUM_DIR, repoKey, snapshotKey } from './layout.js';
import { isSnapshotId, isValidRepoName } from './names.js';

/**
 * The latest snapshot id of a repo (the head of its history, see history.ts), or undefined when the repo
 * has none yet. Read only: latest.txt is moved forward by writers (rollForward).
 */
export async function readLatest(store: Store, repo: string): Promise<string | undefined> {
  return (await readHead(store, repo)).head;
}

/** Snapshot ids of a repo, oldest first (prefixes with a valid id name). */
export async function listSnapshotIds(store: Store, repo: string): Promise<string[]> {
  return namesOf(await store.list(repoKey(repo)), isSnapshotId);
}

/**
 * Repos of the store: prefixes under yum/ with a valid name, but those a repo delete or rename is
 * working on (a pending marker beside them, see pending.ts): those are whole again only when it finishes.
 */
export async function listRepos(store: Store): Promise<string[]> {
  const entries = await store.list(YUM_DIR);
  const pending = new Set(entries.filter((e) => e.type === 'object' && e.key.endsWith(PENDING_SUFFIX)).map((e) => e.key.slice(YUM_DIR.length + 1, -PENDING_SUFFIX.length)));
  return namesOf(entries, (name) => isValidRepoName(name) && !pending.has(name));
}

function namesOf(entries: Awaited<ReturnType<Store['list']>>, valid: (name: string) => boolean): string[] {
  return entries
    .filter((e) => e.type === 'prefix')
    .map((e) => e.key.slice(e.key.lastIndexOf('/') + 1))
    .filter(valid)
    .sort();
}

export async function requireRepo(store: Store, repo: string): Promise<void> {
  if ((await store.stat(repoKey(repo)))?.type === 'prefix') return;
  throw new OvirtRepoError(ErrorCodes.NOT_FOUND, `repo ${repo} does not exist in store ${store.location}`, {
    target: store.locationOf(repoKey(repo)),
    hint: 'check the name (`ovirt-repo snapshot list` needs an existing repo); repos are created by `ovirt-repo mirror sync`',
  });
}

/** The snapshot's key, once it is known to exist. */
export async function requireSnapshot(store: Store, repo: string, id: string): Promise<string> {
  const key = snapshotKey(repo, id);
  if ((await store.stat(key))?.type === 'prefix') return key;
  throw new OvirtRepoError(ErrorCodes.NOT_FOUND, `snapshot ${id} of repo ${repo} does not exist`, {
    target: store.locationOf(key),
    hint: `list the snapshots with: ovirt-repo snapshot list ${repo}`,
  });
}
