import { cp, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { deleteRepo, listRepoSummaries, openStore, readLatest, runGc, syncRepo, verifySnapshot, writeIndex } from '../src/index.js';
import { ensurePluginBuilt } from './helpers/built.js';
import { runChild, waitForFile } from './helpers/child.js';
import Delete from '../src/commands/repo/delete.js';
import List from '../src/commands/repo/list.js';
import { ovirtRepo, runJson } from './helpers/commands.js';
import { makeRepo, pkg } from './helpers/fixtures.js';

/** Every repo listed has a latest snapshot that verifies; the index, gc and a listing all work. */
async function expectConsistent(location: string): Promise<string[]> {
  const store = await openStore(location);
  const { repos } = await listRepoSummaries(store);
  for (const r of repos) expect((await verifySnapshot(store, r.repo, r.latest)).id).toBe(r.latest);
  await writeIndex(store);
  const gc = await runGc(store, { tempMaxAgeMs: 0 });
  expect(gc.removedSnapshots).toEqual([]);
  return repos.map((r) => r.repo);
}

const indexed = async (store: string) => Object.keys((JSON.parse(await readFile(join(store, 'yum', 'all_latest.json'), 'utf8')) as { latest_ci_repos: Record<string, string> }).latest_ci_repos);

describeWithTools(['createrepo_c'], 'repo list and repo delete', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  /** A store with repos one (two snapshots, the first pinned) and two; copied for each test that changes it. */
  let pristine: string;
  let srcA: string;
  let srcB: string;

  beforeAll(async () => {
    ensurePluginBuilt();
    ({ dir, cleanup } = await makeTempDir('repo-commands-'));
    pristine = join(dir, 'pristine');
    srcA = await makeRepo(join(dir, 'a'), [pkg('alpha'), pkg('shared')]);
    srcB = await makeRepo(join(dir, 'b'), [pkg('beta'), pkg('shared')]);
    const first = await syncRepo({ store: pristine, repo: 'one', from: [srcA] });
    await syncRepo({ store: pristine, repo: 'one', from: [srcA, srcB], mode: 'additive' });
    await syncRepo({ store: pristine, repo: 'two', from: [srcB] });
    expect((await ovirtRepo(['snapshot', 'pin', 'one', first.snapshot!, '--reason', 'GA', '--store', pristine])).code).toBe(0);
  }, 60_000);
  afterAll(() => cleanup());

  let n = 0;
  const copy = async () => {
    const to = join(dir, `store${++n}`);
    await cp(pristine, to, { recursive: true, verbatimSymlinks: true });
    return to;
  };

  it('repo list --json gives each repo with its latest snapshot, snapshot count and pins', async () => {
    const store = await openStore(pristine);
    const r = await ovirtRepo(['repo', 'list', '--store', pristine, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { repos: { repo: string; latest: string; snapshots: number; pins: { id: string; reason?: string }[]; url?: string }[]; pending: unknown[] };
    const [one, two] = out.repos;
    expect(out.repos.map((x) => x.repo)).toEqual(['one', 'two']);
    expect(one).toMatchObject({ latest: await readLatest(store, 'one'), snapshots: 2 });
    expect(one!.pins).toEqual([{ id: expect.not.stringMatching(one!.latest) as string, reason: 'GA' }]);
    expect(one!.url).toMatch(new RegExp(`/yum/one/${one!.latest}$`));
    expect(two).toMatchObject({ latest: await readLatest(store, 'two'), snapshots: 1, pins: [] });
    expect(out.pending).toEqual([]);
    const text = await ovirtRepo(['repo', 'list', '--store', pristine]);
    expect(text.stdout).toMatch(/^REPO\s+LATEST\s+SNAPSHOTS\s+PINNED\n/);
    expect(text.stdout).toContain(`(GA)`);
  });

  it('repo delete refuses a repo with pins without --force, changing nothing', async () => {
    const store = await copy();
    const before = await readdir(join(store, 'yum', 'one'));
    const { out: err, exitCode } = await runJson<{ error: { code: string; message: string; hint: string } }>(Delete, ['one', '--store', store]);
    expect(exitCode).not.toBe(0);
    expect(err.error.code).toBe('E_CONFLICT');
    expect(err.error.message).toMatch(/repo one has 1 pinned snapshot: \S+ \(GA\); nothing was deleted/);
    expect(err.error.hint).toContain('--force');
    expect(await readdir(join(store, 'yum', 'one'))).toEqual(before);
    expect(await indexed(store)).toEqual(['one', 'two']);
  });

  it('repo delete --force removes the repo from listings and the index; gc then reclaims only its own packages', async () => {
    const store = await copy();
    const r = await ovirtRepo(['repo', 'delete', 'one', '--force', '--store', store, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ repo: 'one', snapshots: 2, pins: [expect.any(String)], resumed: false, poolLeftForGc: true });
    const text = await ovirtRepo(['repo', 'delete', 'two', '--store', await copy()]);
    expect(text.stdout).toMatch(/Deleted repo two \(1 snapshot\); its packages stay in the pool until `ovirt-repo gc`/);
    expect(await readdir(join(store, 'yum'))).not.toContain('one');
    expect(await indexed(store)).toEqual(['two']);
    expect(await expectConsistent(store)).toEqual(['two']);
    // alpha was only in repo one; shared and beta stay for repo two.
    const pool = (await readdir(join(store, 'pool'), { recursive: true })).filter((f) => f.endsWith('.rpm')).map((f) => f.split('/').at(-1)).sort();
    expect(pool).toEqual(['beta-1.0-1.noarch.rpm', 'shared-1.0-1.noarch.rpm']);
    // A sync makes the name afresh.
    const again = await syncRepo({ store, repo: 'one', from: [srcA] });
    expect(again.changed).toBe(true);
  });

  it('repo delete of a repo that does not exist is E_NOT_FOUND', async () => {
    const { out, exitCode } = await runJson<{ error: { code: string; message: string } }>(Delete, ['nope', '--store', pristine]);
    expect(exitCode).not.toBe(0);
    expect(out.error).toMatchObject({ code: 'E_NOT_FOUND', message: expect.stringContaining('repo nope does not exist') });
  });

  it.each(['repo-delete-marked', 'repo-delete-indexed', 'repo-delete-removed'])('a repo delete killed at %s leaves a consistent store, and a rerun finishes', async (point) => {
    const store = await copy();
    const pauseFile = join(dir, `paused-${n}`);
    const run = runChild('repo-delete', { store, repo: 'one', force: true }, { OVIRT_REPO_TEST_PAUSE_AT: point, OVIRT_REPO_TEST_PAUSE_FILE: pauseFile });
    await waitForFile(pauseFile);
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    expect(await expectConsistent(store)).toEqual(['two']);
    const { out: listed } = await runJson<{ pending: unknown[] }>(List, ['--store', store]);
    expect(listed.pending).toEqual([{ repo: 'one', state: 'being deleted', finish: 'ovirt-repo repo delete one' }]);
    // A sync into the half-deleted repo is refused, naming the command that finishes it.
    await expect(syncRepo({ store, repo: 'one', from: [srcA], lockTimeoutMs: 10_000 })).rejects.toMatchObject({ code: 'E_CONFLICT', hint: expect.stringContaining('ovirt-repo repo delete one') });
    const rerun = await deleteRepo(await openStore(store), 'one', { lockTimeoutMs: 10_000 });
    expect(rerun).toMatchObject({ repo: 'one', resumed: true });
    expect(await readdir(join(store, 'yum'))).not.toContain('one');
    expect((await listRepoSummaries(await openStore(store))).pending).toEqual([]);
    expect(await indexed(store)).toEqual(['two']);
  });

  it('a repo delete and a sync of the same repo serialise on its lock: the one that waits too long fails E_LOCKED and changes nothing', async () => {
    const store = await copy();
    const pauseFile = join(dir, `paused-${n}`);
    const sync = runChild('sync', { store, repo: 'two', from: [srcA, srcB], mode: 'additive' }, { OVIRT_REPO_TEST_PAUSE_AT: 'after-lock', OVIRT_REPO_TEST_PAUSE_FILE: pauseFile });
    await waitForFile(pauseFile);
    await expect(deleteRepo(await openStore(store), 'two', { lockTimeoutMs: 300 })).rejects.toMatchObject({ code: 'E_LOCKED' });
    sync.child.kill('SIGKILL');
    await sync.done;
    expect(await expectConsistent(store)).toEqual(['one', 'two']);

    const deletePause = join(dir, `paused-delete-${n}`);
    const del = runChild('repo-delete', { store, repo: 'two', lockTimeoutMs: 10_000 }, { OVIRT_REPO_TEST_PAUSE_AT: 'repo-delete-marked', OVIRT_REPO_TEST_PAUSE_FILE: deletePause });
    await waitForFile(deletePause);
    await expect(syncRepo({ store, repo: 'two', from: [srcA], lockTimeoutMs: 300 })).rejects.toMatchObject({ code: 'E_LOCKED' });
    del.child.kill('SIGKILL');
    await del.done;
    expect((await deleteRepo(await openStore(store), 'two', { lockTimeoutMs: 10_000 })).resumed).toBe(true);
    expect(await expectConsistent(store)).toEqual(['one']);
  });
});
