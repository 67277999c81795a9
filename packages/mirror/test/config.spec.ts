import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import Sync from '../src/commands/mirror/sync.js';
import List from '../src/commands/snapshot/list.js';
import Gc from '../src/commands/gc.js';
import { ensurePluginBuilt } from './helpers/built.js';
import { makeRepo, pkg } from './helpers/fixtures.js';
import { snapshotFiles, snapshotIds } from './helpers/store-checks.js';
import { runJson } from './helpers/commands.js';

describeWithTools(['createrepo_c'], 'commands driven by ovirt-repo.yaml', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const saved = process.env.OVIRT_REPO_CONFIG;
  beforeAll(async () => {
    ensurePluginBuilt();
    ({ dir, cleanup } = await makeTempDir());
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.OVIRT_REPO_CONFIG;
    else process.env.OVIRT_REPO_CONFIG = saved;
    await cleanup();
  });

  it('syncs every configured repo with --all, applies repo settings and retention', async () => {
    await makeRepo(join(dir, 'upstream'), [pkg('alpha', '1.0'), pkg('alpha', '2.0'), pkg('alpha-debuginfo')]);
    await makeRepo(join(dir, 'el9'), [pkg('vdsm'), pkg('bash')]);
    await writeFile(join(dir, 'mirrors-reposync.conf'), `[ovirt-el9]\nbaseurl=file://${join(dir, 'el9')}/\nincludepkgs=vdsm*\n`);
    await writeFile(
      join(dir, 'ovirt-repo.yaml'),
      `store: store
baseUrl: https://repos.example.org/ci
defaults:
  retention: { keep: 1 }
repos:
  upstream-el9:
    source: upstream
    newestOnly: true
    exclude: ['*-debuginfo']
  ovirt-el9:
    config: mirrors-reposync.conf
  experimental-el9:
    mode: additive
`,
    );
    process.env.OVIRT_REPO_CONFIG = join(dir, 'ovirt-repo.yaml');
    const store = join(dir, 'store');

    const all = await runJson<{ results: { repo: string; changed: boolean; url: string; snapshot: string }[]; skipped: string[] }>(Sync, ['--all']);
    expect(all.exitCode).toBe(0);
    expect(all.out.results.map((r) => [r.repo, r.changed])).toEqual([['ovirt-el9', true], ['upstream-el9', true]]);
    expect(all.out.skipped).toEqual(['experimental-el9']);
    const up = all.out.results.find((r) => r.repo === 'upstream-el9')!;
    expect(up.url).toBe(`https://repos.example.org/ci/yum/upstream-el9/${up.snapshot}`);
    expect(await snapshotFiles(store, 'upstream-el9', up.snapshot)).toEqual(['alpha-2.0-1.noarch.rpm']);
    const ov = all.out.results.find((r) => r.repo === 'ovirt-el9')!;
    expect(await snapshotFiles(store, 'ovirt-el9', ov.snapshot)).toEqual(['vdsm-1.0-1.noarch.rpm']);

    // The additive repo gets its mode from the file; the build comes from --from.
    const b1 = await makeRepo(join(dir, 'b1'), [pkg('one')]);
    const b2 = await makeRepo(join(dir, 'b2'), [pkg('two')]);
    await runJson(Sync, ['experimental-el9', '--from', b1]);
    const second = await runJson<{ snapshot: string; mode: string }>(Sync, ['experimental-el9', '--from', b2]);
    expect(second.out.mode).toBe('additive');
    expect(await snapshotFiles(store, 'experimental-el9', second.out.snapshot)).toEqual(['one-1.0-1.noarch.rpm', 'two-1.0-1.noarch.rpm']);

    const index = JSON.parse(await readFile(join(store, 'yum', 'all_latest.json'), 'utf8'));
    expect(Object.keys(index.latest_ci_repos).sort()).toEqual(['experimental-el9', 'ovirt-el9', 'upstream-el9']);
    expect(index.latest_ci_repos['experimental-el9']).toBe(`https://repos.example.org/ci/yum/experimental-el9/${second.out.snapshot}`);

    // Store and base URL from the file; gc applies each repo's retention (keep: 1).
    const list = await runJson<{ snapshots: unknown[] }>(List, ['experimental-el9']);
    expect(list.out.snapshots).toHaveLength(2);
    const gc = await runJson<{ removedSnapshots: { repo: string }[] }>(Gc, []);
    expect(gc.out.removedSnapshots.map((s) => s.repo)).toEqual(['experimental-el9']);
    expect(await snapshotIds(store, 'experimental-el9')).toEqual([second.out.snapshot]);
  });
});
