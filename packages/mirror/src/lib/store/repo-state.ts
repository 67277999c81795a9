import { ErrorCodes, OvirtRepoError, type Store } from '@ovirt-repo/core';
import { YUM_DIR, latestKey, repoKey, snapshotKey } from './layout.js';
import { isSnapshotId, isValidRepoName } from './names.js';

/** The latest snapshot id of a repo, or undefined when the repo has none yet. */
export async function readLatest(store: Store, repo: string): Promise<string | undefined> {
  return (await readLatestPointer(store, repo))?.id;
}

async function readLatestPointer(store: Store, repo: string): Promise<{ id: string; version: string } | undefined> {
  const found = await store.read(latestKey(repo), { maxBytes: 4096 }).catch((e: unknown) => {
    if ((e as { code?: string }).code === ErrorCodes.STORE) return { data: Buffer.from('(too large)'), version: '' };
    throw e;
  });
  if (!found) return undefined;
  const id = found.data.toString('utf8').trim();
  if (!isSnapshotId(id)) {
    const where = store.locationOf(latestKey(repo));
    throw new OvirtRepoError(ErrorCodes.STORE, `${where} does not name a snapshot ("${id.slice(0, 60)}")`, {
      target: where,
      hint: 'write a valid snapshot id into it (see `ovirt-repo snapshot list`), or delete it to start the repo afresh',
    });
  }
  return { id, version: found.version };
}

/**
 * Point latest.txt at `id`, atomically (readers see the old id or the new one), if it still names
 * `expected` (undefined: the repo has no latest yet). Otherwise E_CONFLICT: another writer moved it, and
 * this one must not move it back.
 */
export async function writeLatest(store: Store, repo: string, id: string, expected: string | undefined): Promise<void> {
  const current = await readLatestPointer(store, repo);
  if (current?.id !== expected) {
    throw new OvirtRepoError(ErrorCodes.CONFLICT, `latest snapshot of ${repo} changed during the sync (${expected ?? 'none'} -> ${current?.id ?? 'none'})`, {
      target: store.locationOf(latestKey(repo)),
      hint: 'another writer bypassed the repo lock; nothing was published by this run, retry it',
    });
  }
  await store.replace(latestKey(repo), `${id}\n`, current?.version ?? null);
}

/** Snapshot ids of a repo, oldest first (prefixes with a valid id name). */
export async function listSnapshotIds(store: Store, repo: string): Promise<string[]> {
  return namesOf(await store.list(repoKey(repo)), isSnapshotId);
}

/** Repos of the store: prefixes under yum/ with a valid name. */
export async function listRepos(store: Store): Promise<string[]> {
  return namesOf(await store.list(YUM_DIR), isValidRepoName);
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
