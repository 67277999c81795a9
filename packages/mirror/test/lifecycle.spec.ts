import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import Sync from '../src/commands/mirror/sync.js';
import List from '../src/commands/snapshot/list.js';
import Show from '../src/commands/snapshot/show.js';
import Diff from '../src/commands/snapshot/diff.js';
import Verify from '../src/commands/snapshot/verify.js';
import Pin from '../src/commands/snapshot/pin.js';
import Unpin from '../src/commands/snapshot/unpin.js';
import Gc from '../src/commands/gc.js';
import IndexWrite from '../src/commands/index/write.js';
import { ensurePluginBuilt } from './helpers/built.js';
import { makeRepo, pkg } from './helpers/fixtures.js';
import { snapshotIds } from './helpers/store-checks.js';
import { runJson } from './helpers/commands.js';

describeWithTools(['createrepo_c'], 'lifecycle commands', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: string;
  const ids: string[] = [];

  beforeAll(async () => {
    ensurePluginBuilt();
    ({ dir, cleanup } = await makeTempDir());
    store = join(dir, 'store');
    const steps = [
      [pkg('alpha', '1.0'), pkg('beta', '1.0'), pkg('gamma', '1.0')],
      [pkg('alpha', '1.1'), pkg('beta', '1.0'), pkg('delta', '1.0')],
      [pkg('alpha', '1.0'), pkg('beta', '1.0', '1', 'noarch', { summary: 'rebuilt' }), pkg('delta', '1.0')],
    ];
    for (const [i, specs] of steps.entries()) {
      const src = join(dir, `src${i}`);
      await makeRepo(src, specs);
      const { out, exitCode } = await runJson<{ snapshot: string; changed: boolean }>(Sync, ['el9', '--from', src, '--store', store, '--base-url', 'http://m.example.org/repos']);
      expect(exitCode).toBe(0);
      expect(out.changed).toBe(true);
      ids.push(out.snapshot);
    }
  });
  afterAll(() => cleanup());

  it('sync --json prints the documented fields', async () => {
    const src = join(dir, 'src0');
    const { out } = await runJson(Sync, ['other', '--from', src, '--store', store]);
    expect(Object.keys(out)).toEqual(expect.arrayContaining(['repo', 'snapshot', 'url', 'changed', 'added', 'removed', 'downloaded']));
    expect(out).toMatchObject({ repo: 'other', changed: true, added: 3, removed: 0, downloaded: { count: 0, bytes: 0 } });
  });

  it('snapshot list shows id, time, packages, size, pinned and latest', async () => {
    const { out } = await runJson<{ snapshots: Record<string, unknown>[] }>(List, ['el9', '--store', store]);
    expect(out.snapshots.map((s) => s.id)).toEqual(ids);
    expect(out.snapshots[2]).toMatchObject({ id: ids[2], packages: 3, pinned: false, latest: true, url: expect.stringContaining(`/yum/el9/${ids[2]}`) });
    expect(out.snapshots[0]).toMatchObject({ latest: false, packages: 3 });
    expect(typeof out.snapshots[0]!.size).toBe('number');
    expect(out.snapshots[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('snapshot show describes sources and packages', async () => {
    const { out } = await runJson<{ id: string; latest: boolean; record: { packages: unknown[]; sources: { url: string }[]; mode: string } }>(Show, ['el9', 'latest', '--store', store]);
    expect(out).toMatchObject({ id: ids[2], latest: true, record: { mode: 'mirror' } });
    expect(out.record.packages).toHaveLength(3);
    expect(out.record.sources[0]!.url).toContain('src2');
  });

  it('snapshot diff reports added, removed, upgraded, downgraded and rebuilt packages', async () => {
    let { out } = await runJson<Record<string, { name: string }[]>>(Diff, ['el9', ids[0]!, ids[1]!, '--store', store]);
    expect(out.added!.map((e) => e.name)).toEqual(['delta']);
    expect(out.removed!.map((e) => e.name)).toEqual(['gamma']);
    expect(out.upgraded).toEqual([{ name: 'alpha', arch: 'noarch', from: '1.0-1', to: '1.1-1' }]);
    ({ out } = await runJson(Diff, ['el9', ids[1]!, 'latest', '--store', store]));
    expect(out.downgraded).toEqual([{ name: 'alpha', arch: 'noarch', from: '1.1-1', to: '1.0-1' }]);
    expect(out.rebuilt!.map((e) => e.name)).toEqual(['beta']);
  });

  it('snapshot verify passes on a good snapshot and lists problems on a damaged one', async () => {
    expect((await runJson(Verify, ['el9', ids[0]!, '--store', store])).out).toMatchObject({ id: ids[0], packages: 3, checksummed: true });
    // Damage a pool file used only by the first snapshot (gamma).
    const rec = JSON.parse(await readFile(join(store, 'yum', 'el9', ids[0]!, 'snapshot.json'), 'utf8'));
    const gamma = rec.packages.find((p: { name: string }) => p.name === 'gamma').href;
    const original = await readFile(join(store, gamma));
    await writeFile(join(store, gamma), Buffer.concat([original.subarray(0, original.length - 1), Buffer.from([original.at(-1)! ^ 1])]));
    const bad = await runJson<{ error: { code: string; data: { problems: { target: string }[] } } }>(Verify, ['el9', ids[0]!, '--store', store]);
    expect(bad.exitCode).toBe(1);
    expect(bad.out.error.code).toBe('E_VERIFY_FAILED');
    expect(bad.out.error.data.problems[0]!.target).toContain('gamma-1.0-1.noarch.rpm');
    expect((await runJson(Verify, ['el9', ids[0]!, '--quick', '--store', store])).exitCode).toBe(0);
    await rm(join(store, gamma));
    expect((await runJson(Verify, ['el9', ids[0]!, '--quick', '--store', store])).exitCode).toBe(1);
    await writeFile(join(store, gamma), original);
  });

  it('pin keeps a snapshot through gc; unpin releases it', async () => {
    expect((await runJson(Pin, ['el9', ids[0]!, '--reason', 'tested by OST run 42', '--store', store])).out).toMatchObject({ pinned: true, changed: true });
    const dry = await runJson<{ removedSnapshots: { id: string }[]; dryRun: boolean }>(Gc, ['el9', '--keep', '1', '--dry-run', '--store', store]);
    expect(dry.out.dryRun).toBe(true);
    expect(dry.out.removedSnapshots.map((s) => s.id)).toEqual([ids[1]]);
    expect(await snapshotIds(store, 'el9')).toEqual(ids);

    const list = await runJson<{ snapshots: { id: string; pinned: boolean; pinReason?: string }[] }>(List, ['el9', '--store', store]);
    expect(list.out.snapshots[0]).toMatchObject({ pinned: true, pinReason: 'tested by OST run 42' });

    const gc = await runJson<{ removedSnapshots: { id: string }[]; removedPoolFiles: number }>(Gc, ['el9', '--keep', '1', '--store', store]);
    expect(gc.out.removedSnapshots.map((s) => s.id)).toEqual([ids[1]]);
    expect(gc.out.removedPoolFiles).toBe(1); // alpha-1.1, referenced only by the removed snapshot
    expect(await snapshotIds(store, 'el9')).toEqual([ids[0], ids[2]]);
    expect((await runJson(Verify, ['el9', ids[0]!, '--store', store])).exitCode).toBe(0);

    expect((await runJson(Unpin, ['el9', ids[0]!, '--store', store])).out).toMatchObject({ pinned: false, changed: true });
    const gc2 = await runJson<{ removedSnapshots: { id: string }[] }>(Gc, ['--keep', '1', '--store', store]);
    expect(gc2.out.removedSnapshots.map((s) => s.id)).toEqual([ids[0]]);
    expect((await runJson(Verify, ['el9', '--store', store])).exitCode).toBe(0);
  });

  it('index write maps every repo to its latest snapshot URL', async () => {
    const { out } = await runJson<{ repos: Record<string, string> }>(IndexWrite, ['--store', store, '--base-url', 'https://repos.example.org/ci/']);
    expect(out.repos.el9).toBe(`https://repos.example.org/ci/yum/el9/${ids[2]}`);
    const index = JSON.parse(await readFile(join(store, 'yum', 'all_latest.json'), 'utf8'));
    expect(index.latest_ci_repos.el9).toBe(`https://repos.example.org/ci/yum/el9/${ids[2]}`);
    expect(Object.keys(index.latest_ci_repos).sort()).toEqual(['el9', 'other']);
  });

  it('errors name the problem and how to fix it, with a non-zero exit', async () => {
    const missing = await runJson<{ error: { code: string; message: string; hint: string } }>(List, ['nope', '--store', store]);
    expect(missing.exitCode).toBe(1);
    expect(missing.out.error).toMatchObject({ code: 'E_NOT_FOUND', message: expect.stringContaining('repo nope') });
    const badId = await runJson<{ error: { code: string } }>(Show, ['el9', '../../etc', '--store', store]);
    expect(badId.out.error.code).toBe('E_USAGE');
    expect(badId.exitCode).toBe(2);
    const notStore = await runJson<{ error: { code: string } }>(List, ['el9', '--store', dir]);
    expect(notStore.out.error.code).toBe('E_STORE');
  });
});
