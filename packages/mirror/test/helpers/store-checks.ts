import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { openStore, readLatest, verifySnapshot, listSnapshotIds } from '../../src/index.js';

/** The invariant every test ends with: latest names a complete snapshot that verifies. */
export async function expectLatestVerifies(store: string, repo: string): Promise<string> {
  const layout = await openStore(store);
  const latest = await readLatest(layout, repo);
  expect(latest).toBeDefined();
  const r = await verifySnapshot(layout, repo, latest);
  expect(r.id).toBe(latest);
  return latest!;
}

/** Names of the packages (file names) of a snapshot, from its record. */
export async function snapshotFiles(store: string, repo: string, id: string): Promise<string[]> {
  const rec = JSON.parse(await readFile(join(store, 'yum', repo, id, 'snapshot.json'), 'utf8')) as { packages: { href: string }[] };
  return rec.packages.map((p) => p.href.split('/').at(-1)!).sort();
}

export async function snapshotIds(store: string, repo: string): Promise<string[]> {
  return listSnapshotIds(await openStore(store), repo);
}

/** Temp names (writers' leftovers) anywhere in a repo directory. */
export async function leftovers(store: string, repo: string): Promise<string[]> {
  const names = await readdir(join(store, 'yum', repo)).catch(() => [] as string[]);
  return names.filter((n) => n.startsWith('.'));
}

export async function poolLinkOf(store: string, repo: string, id: string): Promise<string> {
  const p = join(store, 'yum', repo, id, 'pool');
  expect((await lstat(p)).isSymbolicLink()).toBe(true);
  return readlink(p);
}
