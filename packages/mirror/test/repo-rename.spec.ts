import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tempPathFor } from '@ovirt-repo/core';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { listRepoSummaries, openStore, readPins, renameRepo, runGc, syncRepo, verifySnapshot, writeIndex } from '../src/index.js';
import Rename from '../src/commands/repo/rename.js';
import { ensurePluginBuilt } from './helpers/built.js';
import { runChild, waitForFile } from './helpers/child.js';
import { ovirtRepo, runJson } from './helpers/commands.js';
import { makeRepo, pkg } from './helpers/fixtures.js';

/** Every file of a repo's snapshots (but the status page) -> sha256, relative to the repo. */
async function repoFiles(store: string, repo: string): Promise<Record<string, string>> {
  const root = join(store, 'yum', repo);
  const out: Record<string, string> = {};
  for (const f of (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile())) {
    const path = join(f.parentPath, f.name);
    const rel = path.slice(root.length + 1);
    if (rel !== 'index.html') out[rel] = createHash('sha256').update(await readFile(path)).digest('hex');
  }
  return out;
}

/** The listed repos, each whole: its latest verifies; the index and gc work (gc removes no snapshot). */
async function expectConsistent(location: string): Promise<string[]> {
  const store = await openStore(location);
  const { repos } = await listRepoSummaries(store);
  for (const r of repos) expect((await verifySnapshot(store, r.repo, r.latest)).id).toBe(r.latest);
  await writeIndex(store);
  expect((await runGc(store, { tempMaxAgeMs: 0 })).removedSnapshots).toEqual([]);
  return repos.map((r) => r.repo);
}

describeWithTools(['createrepo_c'], 'repo rename', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  /** Repo old (two snapshots, the first pinned) and repo other. */
  let pristine: string;
  let before: Record<string, string>;
  let srcA: string;

  beforeAll(async () => {
    ensurePluginBuilt();
    ({ dir, cleanup } = await makeTempDir('repo-rename-'));
    pristine = join(dir, 'pristine');
    srcA = await makeRepo(join(dir, 'a'), [pkg('alpha')]);
    const b = await makeRepo(join(dir, 'b'), [pkg('beta')]);
    const first = await syncRepo({ store: pristine, repo: 'old', from: [srcA] });
    await syncRepo({ store: pristine, repo: 'old', from: [b], mode: 'additive' });
    await syncRepo({ store: pristine, repo: 'other', from: [b] });
    expect((await ovirtRepo(['snapshot', 'pin', 'old', first.snapshot!, '--reason', 'GA', '--store', pristine])).code).toBe(0);
    before = await repoFiles(pristine, 'old');
  }, 60_000);
  afterAll(() => cleanup());

  let n = 0;
  const copy = async () => {
    const to = join(dir, `store${++n}`);
    await cp(pristine, to, { recursive: true, verbatimSymlinks: true });
    return to;
  };

  /** The repo is whole under its new name: the same files (ids, snapshots, pins, history), and only there. */
  const expectRenamed = async (store: string) => {
    expect(await repoFiles(store, 'new')).toEqual(before);
    expect(await expectConsistent(store)).toEqual(['new', 'other']);
    expect([...(await readPins(await openStore(store), 'new')).values()].map((p) => p.reason)).toEqual(['GA']);
    expect(await readdir(join(store, 'yum'))).not.toContain('old');
    const index = JSON.parse(await readFile(join(store, 'yum', 'all_latest.json'), 'utf8')) as { latest_ci_repos: Record<string, string> };
    expect(Object.keys(index.latest_ci_repos)).toEqual(['new', 'other']);
  };

  it('repo rename --json moves every snapshot, pin and history record to the new name; gc then removes no package', async () => {
    const store = await copy();
    const pool = await readdir(join(store, 'pool'), { recursive: true });
    const r = await ovirtRepo(['repo', 'rename', 'old', 'new', '--store', store, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ from: 'old', to: 'new', snapshots: 2, resumed: false, warnings: [] });
    await expectRenamed(store);
    expect(await readdir(join(store, 'pool'), { recursive: true })).toEqual(pool);
  });

  it('refuses a new name that exists or is invalid, changing nothing', async () => {
    const store = await copy();
    const exists = await runJson<{ error: { code: string; message: string; hint: string } }>(Rename, ['old', 'other', '--store', store]);
    expect(exists.exitCode).not.toBe(0);
    expect(exists.out.error).toMatchObject({ code: 'E_CONFLICT', message: expect.stringContaining('repo other exists already') as string, hint: expect.stringContaining('repo delete other') as string });
    const invalid = await runJson<{ error: { code: string } }>(Rename, ['old', 'a/b', '--store', store]);
    expect([invalid.exitCode, invalid.out.error.code]).toEqual([2, 'E_USAGE']);
    expect(await repoFiles(store, 'old')).toEqual(before);
    expect(await expectConsistent(store)).toEqual(['old', 'other']);
  });

  it.each(['repo-rename-marked', 'repo-rename-copied', 'repo-rename-source-marked', 'repo-rename-visible', 'repo-delete-indexed', 'repo-delete-removed'])(
    'a rename killed at %s leaves the repo whole under one name, and a rerun finishes',
    async (point) => {
      const store = await copy();
      const pauseFile = join(dir, `paused-${n}`);
      const run = runChild('repo-rename', { store, repo: 'old', to: 'new' }, { OVIRT_REPO_TEST_PAUSE_AT: point, OVIRT_REPO_TEST_PAUSE_FILE: pauseFile });
      await waitForFile(pauseFile);
      run.child.kill('SIGKILL');
      expect((await run.done).signal).toBe('SIGKILL');
      const listed = await expectConsistent(store);
      // Until the source is marked, the repo is in sight under its old name; from when the new one is in
      // sight, under that one; in between (a moment) under neither, with a rerun named under pending.
      const expected: Record<string, string[]> = {
        'repo-rename-marked': ['old', 'other'],
        'repo-rename-copied': ['old', 'other'],
        'repo-rename-source-marked': ['other'],
        'repo-rename-visible': ['new', 'other'],
        'repo-delete-indexed': ['new', 'other'],
        'repo-delete-removed': ['new', 'other'],
      };
      expect(listed).toEqual(expected[point]);
      const { pending } = await listRepoSummaries(await openStore(store));
      expect(pending.map((p) => p.finish)).toContain('ovirt-repo repo rename old new');
      if (point === 'repo-rename-marked') {
        // What a copy killed half-way through an object leaves: its temp file, which the rerun must not keep.
        const half = tempPathFor(join(store, 'yum', 'new', 'half-copied', 'repomd.xml'));
        await mkdir(dirname(half), { recursive: true });
        await writeFile(half, '<repomd');
      }
      const rerun = await renameRepo(await openStore(store), 'old', 'new', { lockTimeoutMs: 10_000 });
      expect(rerun).toMatchObject({ from: 'old', to: 'new', snapshots: 2, resumed: true });
      await expectRenamed(store);
      expect((await listRepoSummaries(await openStore(store))).pending).toEqual([]);
    },
  );

  it('a rename killed at random moments never loses the repo, and a rerun finishes', async () => {
    for (let round = 0; round < 4; round++) {
      const store = await copy();
      const run = runChild('repo-rename', { store, repo: 'old', to: 'new' });
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 400));
      run.child.kill('SIGKILL');
      await run.done;
      const listed = await expectConsistent(store);
      // Whole under at least one name, or (a moment of step 3) pending with its rerun.
      const pending = (await listRepoSummaries(await openStore(store))).pending.map((p) => p.finish);
      expect(listed.includes('old') || listed.includes('new') || pending.includes('ovirt-repo repo rename old new')).toBe(true);
      await renameRepo(await openStore(store), 'old', 'new', { lockTimeoutMs: 10_000 }).catch((e: { code?: string }) => {
        // The rename finished before the kill: old is gone, nothing is left to do.
        if (e.code !== 'E_NOT_FOUND') throw e;
      });
      await expectRenamed(store);
    }
  }, 60_000);

  it('a rename and a sync of the repo serialise on its lock: one waiting too long fails E_LOCKED, nothing lost', async () => {
    const store = await copy();
    const pauseFile = join(dir, `paused-${n}`);
    const sync = runChild('sync', { store, repo: 'old', from: [srcA], mode: 'additive' }, { OVIRT_REPO_TEST_PAUSE_AT: 'after-lock', OVIRT_REPO_TEST_PAUSE_FILE: pauseFile });
    await waitForFile(pauseFile);
    await expect(renameRepo(await openStore(store), 'old', 'new', { lockTimeoutMs: 300 })).rejects.toMatchObject({ code: 'E_LOCKED' });
    sync.child.kill('SIGKILL');
    await sync.done;
    const renamePause = join(dir, `paused-rename-${n}`);
    const rename = runChild('repo-rename', { store, repo: 'old', to: 'new' }, { OVIRT_REPO_TEST_PAUSE_AT: 'repo-rename-copied', OVIRT_REPO_TEST_PAUSE_FILE: renamePause });
    await waitForFile(renamePause);
    await expect(syncRepo({ store, repo: 'old', from: [srcA], lockTimeoutMs: 300 })).rejects.toMatchObject({ code: 'E_LOCKED' });
    await expect(syncRepo({ store, repo: 'new', from: [srcA], lockTimeoutMs: 300 })).rejects.toMatchObject({ code: 'E_LOCKED' });
    rename.child.kill('SIGKILL');
    await rename.done;
    await renameRepo(await openStore(store), 'old', 'new', { lockTimeoutMs: 10_000 });
    await expectRenamed(store);
  });
});
