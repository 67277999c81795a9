import { readdir, readFile, stat } from 'node:fs/promises';
import { ErrorCodes, OvirtRepoError, ioError, writeFileAtomic } from '@ovirt-repo/core';
import { latestFile, repoDir, snapshotDir, type StoreLayout } from './layout.js';
import { isSnapshotId, isValidRepoName } from './names.js';

/** The latest snapshot id of a repo, or undefined when the repo has none yet. */
export async function readLatest(layout: StoreLayout, repo: string): Promise<string | undefined> {
  const path = latestFile(layout, repo);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ioError('read', path, e);
  }
  const id = text.trim();
  if (!isSnapshotId(id)) {
    throw new OvirtRepoError(ErrorCodes.STORE, `${path} does not name a snapshot ("${id.slice(0, 60)}")`, {
      target: path,
      hint: 'write a valid snapshot id into it (see `ovirt-repo snapshot list`), or delete it to start the repo afresh',
    });
  }
  return id;
}

/** Point latest.txt at `id`, atomically (readers see the old id or the new one). */
export async function writeLatest(layout: StoreLayout, repo: string, id: string): Promise<void> {
  await writeFileAtomic(latestFile(layout, repo), `${id}\n`);
}

/** Snapshot ids of a repo, oldest first (directories with a valid id name). */
export async function listSnapshotIds(layout: StoreLayout, repo: string): Promise<string[]> {
  const dir = repoDir(layout, repo);
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw ioError('list snapshots', dir, e);
  }
  return entries
    .filter((e) => e.isDirectory() && isSnapshotId(e.name))
    .map((e) => e.name)
    .sort();
}

/** Repos of the store: directories under yum/ with a valid name. */
export async function listRepos(layout: StoreLayout): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(layout.yumDir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw ioError('list repos', layout.yumDir, e);
  }
  return entries
    .filter((e) => e.isDirectory() && isValidRepoName(e.name))
    .map((e) => e.name)
    .sort();
}

export async function requireRepo(layout: StoreLayout, repo: string): Promise<void> {
  try {
    if ((await stat(repoDir(layout, repo))).isDirectory()) return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError('stat', repoDir(layout, repo), e);
  }
  throw new OvirtRepoError(ErrorCodes.NOT_FOUND, `repo ${repo} does not exist in store ${layout.root}`, {
    target: repoDir(layout, repo),
    hint: 'check the name (`ovirt-repo snapshot list` needs an existing repo); repos are created by `ovirt-repo mirror sync`',
  });
}

export async function requireSnapshot(layout: StoreLayout, repo: string, id: string): Promise<string> {
  const dir = snapshotDir(layout, repo, id);
  try {
    if ((await stat(dir)).isDirectory()) return dir;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError('stat', dir, e);
  }
  throw new OvirtRepoError(ErrorCodes.NOT_FOUND, `snapshot ${id} of repo ${repo} does not exist`, {
    target: dir,
    hint: `list the snapshots with: ovirt-repo snapshot list ${repo}`,
  });
}
