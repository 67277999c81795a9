import { randomBytes } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { openStore, readLatest, runGc, syncRepo } from '../src/index.js';
import { ensurePluginBuilt } from './helpers/built.js';
import { runChild, waitForFile } from './helpers/child.js';
import { makeRepo, pkg } from './helpers/fixtures.js';
import { expectLatestVerifies, leftovers, snapshotFiles, snapshotIds } from './helpers/store-checks.js';

describeWithTools(['createrepo_c'], 'sync transactions and concurrency', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: string;
  beforeAll(() => ensurePluginBuilt());
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    store = join(dir, 'store');
  });
  afterEach(() => cleanup());

  it.each(['after-lock', 'after-download', 'before-rename', 'before-latest', 'after-latest'])(
    'a sync killed with SIGKILL at %s leaves latest complete and does not block the next sync',
    async (point) => {
      const a = await makeRepo(join(dir, 'a'), [pkg('alpha')]);
      const b = await makeRepo(join(dir, 'b'), [pkg('beta')]);
      const first = await syncRepo({ store, repo: 'exp', from: [a], mode: 'additive' });
      const pauseFile = join(dir, 'paused');
      const run = runChild('sync', { store, repo: 'exp', from: [b], mode: 'additive' }, { OVIRT_REPO_TEST_PAUSE_AT: point, OVIRT_REPO_TEST_PAUSE_FILE: pauseFile });
      await waitForFile(pauseFile);
      run.child.kill('SIGKILL');
      expect((await run.done).signal).toBe('SIGKILL');

      const latest = await expectLatestVerifies(store, 'exp');
      if (point === 'after-latest') expect(latest).not.toBe(first.snapshot);
      else expect(latest).toBe(first.snapshot);
      // Every directory that looks like a snapshot is complete.
      for (const id of await snapshotIds(store, 'exp')) expect((await readdir(join(store, 'yum', 'exp', id, 'repodata'))).includes('repomd.xml')).toBe(true);

      // The next writer breaks the dead writer's lock, cleans its leftovers and publishes.
      const c = await makeRepo(join(dir, 'c'), [pkg('gamma')]);
      const next = await syncRepo({ store, repo: 'exp', from: [b, c], mode: 'additive', lockTimeoutMs: 10_000 });
      expect(next.changed).toBe(true);
      expect(await snapshotFiles(store, 'exp', next.snapshot!)).toEqual(['alpha-1.0-1.noarch.rpm', 'beta-1.0-1.noarch.rpm', 'gamma-1.0-1.noarch.rpm']);
      expect(await leftovers(store, 'exp')).toEqual([]);
      await expectLatestVerifies(store, 'exp');
      const index = JSON.parse(await readFile(join(store, 'yum', 'all_latest.json'), 'utf8'));
      expect(index.latest_ci_repos.exp).toMatch(new RegExp(`/yum/exp/${next.snapshot}$`));
    },
  );

  it('survives SIGKILL at random moments of many syncs', async () => {
    const builds: string[] = [];
    // Packages of a few MB (incompressible), so kills also land in the middle of downloads and copies.
    for (let i = 0; i < 6; i++) {
      const big = { path: `/usr/share/pkg${i}/blob`, contents: randomBytes(1 << 21) };
      builds.push(await makeRepo(join(dir, `b${i}`), [pkg(`pkg${i}`, '1.0', '1', 'noarch', { files: [big] }), pkg(`small${i}`)]));
    }
    await syncRepo({ store, repo: 'rnd', from: [builds[0]!], mode: 'additive' });
    for (let i = 1; i < builds.length; i++) {
      const run = runChild('sync', { store, repo: 'rnd', from: [builds[i]!], mode: 'additive' });
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 400));
      run.child.kill('SIGKILL');
      await run.done;
      await expectLatestVerifies(store, 'rnd');
    }
    const last = await syncRepo({ store, repo: 'rnd', from: builds, mode: 'additive', lockTimeoutMs: 10_000 });
    expect(await snapshotFiles(store, 'rnd', last.snapshot!)).toHaveLength(12);
    await expectLatestVerifies(store, 'rnd');
  });

  it('serialises six parallel additive syncs of one repo with no lost update', async () => {
    const builds: string[] = [];
    for (let i = 0; i < 6; i++) builds.push(await makeRepo(join(dir, `build${i}`), [pkg(`component${i}`, `1.${i}`)]));
    const runs = builds.map((b) => runChild('sync', { store, repo: 'experimental', from: [b], mode: 'additive', lockTimeoutMs: 120_000 }));
    const results = await Promise.all(runs.map((r) => r.done));
    for (const r of results) expect(r).toMatchObject({ code: 0 });
    const ids = results.map((r) => r.result!.snapshot as string);
    expect(new Set(ids).size).toBe(6);
    const latest = await readLatest(await openStore(store), 'experimental');
    expect(latest).toBe([...ids].sort().at(-1));
    expect(await snapshotFiles(store, 'experimental', latest!)).toEqual(builds.map((_, i) => `component${i}-1.${i}-1.noarch.rpm`).sort());
    expect(await snapshotIds(store, 'experimental')).toEqual([...ids].sort());
    await expectLatestVerifies(store, 'experimental');
  });

  it('syncs different repos in parallel (one repo\'s lock does not block another)', async () => {
    const a = await makeRepo(join(dir, 'a'), [pkg('alpha')]);
    const pauseFile = join(dir, 'paused');
    const held = runChild('sync', { store, repo: 'one', from: [a] }, { OVIRT_REPO_TEST_PAUSE_AT: 'after-lock', OVIRT_REPO_TEST_PAUSE_FILE: pauseFile });
    await waitForFile(pauseFile);
    const t = Date.now();
    const r = await syncRepo({ store, repo: 'two', from: [a], lockTimeoutMs: 5_000 });
    expect(r.changed).toBe(true);
    expect(Date.now() - t).toBeLessThan(5_000);
    // The same repo waits, and gives up naming the holder.
    await expect(syncRepo({ store, repo: 'one', from: [a], lockTimeoutMs: 300 })).rejects.toMatchObject({ code: 'E_LOCKED', message: expect.stringContaining(`pid ${held.child.pid}`) });
    held.child.kill('SIGKILL');
    await held.done;
  });

  it('registers with gc only the packages the latest snapshot lacks, and gc keeps all it will reference', async () => {
    const repo = 'deploy';
    const base = await makeRepo(join(dir, 'base'), [pkg('alpha'), pkg('beta'), pkg('gamma')]);
    await syncRepo({ store, repo, from: [base], mode: 'additive' });
    const build = await makeRepo(join(dir, 'build'), [pkg('delta')]);
    const pauseFile = join(dir, 'paused');
    const held = runChild('sync', { store, repo, from: [build], mode: 'additive' }, { OVIRT_REPO_TEST_PAUSE_AT: 'after-download', OVIRT_REPO_TEST_PAUSE_FILE: pauseFile });
    try {
      await waitForFile(pauseFile);
      const users = join(store, 'locks', 'pool-users');
      const [name] = (await readdir(users)).filter((n) => n.endsWith('.json'));
      const registered = JSON.parse(await readFile(join(users, name!), 'utf8')) as { digests: string[] };
      const poolNames = async () => {
        const out: Record<string, string> = {};
        for (const dd of await readdir(join(store, 'pool'))) for (const d of await readdir(join(store, 'pool', dd))) for (const f of await readdir(join(store, 'pool', dd, d))) out[f] = d;
        return out;
      };
      const pool = await poolNames();
      expect(registered.digests).toEqual([pool['delta-1.0-1.noarch.rpm']]);
      // A gc that keeps only the latest snapshot, while the sync waits to write its snapshot: it removes nothing.
      const gc = await runGc(await openStore(store), { retention: { keep: 1, maxAgeMs: 0 } });
      expect(gc.removedPoolFiles).toBe(0);
      expect(Object.keys(await poolNames()).sort()).toEqual(['alpha-1.0-1.noarch.rpm', 'beta-1.0-1.noarch.rpm', 'delta-1.0-1.noarch.rpm', 'gamma-1.0-1.noarch.rpm']);
    } finally {
      held.child.kill('SIGKILL');
      await held.done;
    }
    await expectLatestVerifies(store, repo);
  });

  it('gc running concurrently with syncs never removes a package a sync references', async () => {
    const repo = 'busy';
    const builds: string[] = [];
    for (let i = 0; i < 8; i++) builds.push(await makeRepo(join(dir, `b${i}`), [pkg(`p${i}`), pkg('common', `1.${i}`)]));
    await syncRepo({ store, repo, from: [builds[0]!], mode: 'additive' });
    for (let i = 1; i < builds.length; i++) {
      // An additive sync and a gc that keeps only the latest snapshot, started together, both real processes.
      const sync = runChild('sync', { store, repo, from: [builds[i]!], mode: 'additive', lockTimeoutMs: 60_000 });
      await new Promise((r) => setTimeout(r, Math.random() * 150));
      const gc = runChild('gc', { store, retention: { keep: 1, maxAgeMs: 0 }, lockTimeoutMs: 60_000 });
      const [s, g] = await Promise.all([sync.done, gc.done]);
      expect(s).toMatchObject({ code: 0 });
      expect(g).toMatchObject({ code: 0 });
      await expectLatestVerifies(store, repo);
    }
    const final = await runGc(await openStore(store), { retention: { keep: 1, maxAgeMs: 0 } });
    expect(final.removedSnapshots.length + (await snapshotIds(store, repo)).length).toBeGreaterThan(0);
    expect(await snapshotIds(store, repo)).toHaveLength(1);
    const latest = await expectLatestVerifies(store, repo);
    expect(await snapshotFiles(store, repo, latest)).toEqual(['common-1.7-1.noarch.rpm', ...builds.map((_, i) => `p${i}-1.0-1.noarch.rpm`)].sort());
    // Superseded "common" builds are gone from the pool: only referenced files remain.
    const pool: string[] = [];
    for (const dd of await readdir(join(store, 'pool'))) for (const d of await readdir(join(store, 'pool', dd))) pool.push(...(await readdir(join(store, 'pool', dd, d))));
    expect(pool.sort()).toEqual(['common-1.7-1.noarch.rpm', ...builds.map((_, i) => `p${i}-1.0-1.noarch.rpm`)].sort());
  });
});
