import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { openStore, syncRepo } from '../src/index.js';
import { repoLockName } from '../src/lib/lock/store-locks.js';
import type { SyncOptions, SyncResult } from '../src/lib/sync/options.js';
import { ensurePluginBuilt } from './helpers/built.js';
import { ovirtRepo } from './helpers/commands.js';
import { fileTree } from './helpers/file-tree.js';
import { makeRepo, pkg } from './helpers/fixtures.js';

/** What a dry run reports that the real sync run right after it must do the same. */
const outcome = (r: SyncResult) => ({
  changed: r.changed,
  previous: r.previous,
  mode: r.mode,
  added: r.added,
  removed: r.removed,
  changes: r.changes,
  packages: r.packages,
  bytes: r.bytes,
  downloaded: r.downloaded,
  sources: r.sources,
});

/**
 * `mirror sync --dry-run` (SyncOptions.dryRun) on a directory store: the store's and the sources' whole
 * file trees (sizes, modes, mtimes) are the same after it, its work area (in TMPDIR) is gone, and what it
 * reports is what the real sync run next does.
 */
describeWithTools(['createrepo_c'], 'mirror sync --dry-run on a directory store', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let tmp: string;
  const savedTmpdir = process.env.TMPDIR;
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    tmp = join(dir, 'tmp');
    await mkdir(tmp);
    process.env.TMPDIR = tmp;
  });
  afterAll(async () => {
    if (savedTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmpdir;
    await cleanup();
  });

  /** A dry run of `options`, checked to leave the store, the sources and TMPDIR as they were. */
  async function dryRun(options: SyncOptions, sources: readonly string[]): Promise<SyncResult> {
    const store = options.store as string;
    const before = { store: await fileTree(store), sources: await Promise.all(sources.map(fileTree)) };
    const r = await syncRepo({ ...options, dryRun: true });
    expect({ store: await fileTree(store), sources: await Promise.all(sources.map(fileTree)) }).toEqual(before);
    expect(await readdir(tmp)).toEqual([]);
    expect(r).toMatchObject({ dryRun: true, indexWritten: false, commitAttempts: 0 });
    return r;
  }

  it('makes no store on a first sync, and reports what the first sync then does', async () => {
    const src = await makeRepo(join(dir, 'first-src'), [pkg('alpha'), pkg('beta', '2.0', '1', 'x86_64')]);
    const store = join(dir, 'first-store');
    const dry = await dryRun({ store, repo: 'el9', from: [src] }, [src]);
    expect(await fileTree(store)).toEqual({});
    expect(dry).toMatchObject({
      changed: true,
      snapshot: null,
      url: null,
      previous: null,
      added: 2,
      removed: 0,
      changes: { added: ['alpha-1.0-1.noarch', 'beta-2.0-1.x86_64'], removed: [] },
      packages: 2,
      downloaded: { count: 2 },
    });
    expect(dry.downloaded.bytes).toBeGreaterThan(0);

    const real = await syncRepo({ store, repo: 'el9', from: [src] });
    expect(real).toMatchObject({ dryRun: false, changed: true });
    expect(outcome(dry)).toEqual(outcome(real));
  });

  it('changes nothing on a re-sync with additions and removals, and reports what the re-sync then does', async () => {
    const store = join(dir, 'resync-store');
    const v1 = await makeRepo(join(dir, 'resync-v1'), [pkg('alpha'), pkg('beta', '2.0'), pkg('gamma')]);
    const first = await syncRepo({ store, repo: 'el9', from: [v1] });
    // Another repo shares the pool: its package is there, so it is not counted as a download.
    const other = await makeRepo(join(dir, 'resync-other'), [pkg('delta', '1.5')]);
    await syncRepo({ store, repo: 'el8', from: [other] });
    const v2 = await makeRepo(join(dir, 'resync-v2'), [pkg('alpha'), pkg('beta', '3.0'), pkg('delta', '1.5'), pkg('epsilon')]);

    const dry = await dryRun({ store, repo: 'el9', from: [v2] }, [v1, v2]);
    expect(dry).toMatchObject({
      changed: true,
      snapshot: null,
      previous: first.snapshot,
      added: 3,
      removed: 2,
      changes: { added: ['beta-3.0-1.noarch', 'delta-1.5-1.noarch', 'epsilon-1.0-1.noarch'], removed: ['beta-2.0-1.noarch', 'gamma-1.0-1.noarch'] },
      packages: 4,
      downloaded: { count: 2 },
    });

    const real = await syncRepo({ store, repo: 'el9', from: [v2] });
    expect(outcome(dry)).toEqual(outcome(real));

    // Nothing new: the same answer as the sync would give.
    const same = await dryRun({ store, repo: 'el9', from: [v2] }, [v2]);
    expect(same).toMatchObject({ changed: false, snapshot: real.snapshot, reason: 'sources unchanged', added: 0, removed: 0, changes: { added: [], removed: [] }, downloaded: { count: 0, bytes: 0 } });
  });

  it('in additive mode with filters, reports what the deploy then does', async () => {
    const store = join(dir, 'additive-store');
    const base = await makeRepo(join(dir, 'additive-base'), [pkg('vdsm', '4.50'), pkg('engine', '4.5')]);
    await syncRepo({ store, repo: 'exp', from: [base], mode: 'additive' });
    const build = await makeRepo(join(dir, 'additive-build'), [pkg('vdsm', '4.51'), pkg('vdsm-debuginfo', '4.51'), pkg('extra', '1.0')]);
    const options = { store, repo: 'exp', from: [build], mode: 'additive' as const, exclude: ['*-debuginfo'], keepVersions: 2 };

    const dry = await dryRun(options, [build]);
    expect(dry).toMatchObject({ changed: true, added: 2, removed: 0, changes: { added: ['extra-1.0-1.noarch', 'vdsm-4.51-1.noarch'], removed: [] }, packages: 4, downloaded: { count: 2 } });
    expect(outcome(dry)).toEqual(outcome(await syncRepo(options)));
  });

  it('with --check-pool counts the damaged pool files it would fetch again, and fetches none', async () => {
    const store = join(dir, 'pool-store');
    const src = await makeRepo(join(dir, 'pool-src'), [pkg('alpha'), pkg('beta')]);
    const first = await syncRepo({ store, repo: 'el9', from: [src] });
    const record = JSON.parse(await readFile(join(store, 'yum', 'el9', first.snapshot!, 'snapshot.json'), 'utf8')) as { packages: { href: string; size: number }[] };
    const lost = record.packages[0]!;
    await rm(join(store, lost.href));

    const dry = await dryRun({ store, repo: 'el9', from: [src], checkPool: true }, [src]);
    expect(dry).toMatchObject({ changed: false, snapshot: first.snapshot, reason: expect.stringContaining('1 missing or damaged pool files would be fetched again'), downloaded: { count: 1, bytes: lost.size } });
    const real = await syncRepo({ store, repo: 'el9', from: [src], checkPool: true });
    expect(real.downloaded).toEqual(dry.downloaded);
  });

  it('takes no lock: runs while a writer holds the repo, and leaves latest.txt where it is', async () => {
    const store = join(dir, 'locked-store');
    const v1 = await makeRepo(join(dir, 'locked-v1'), [pkg('alpha')]);
    const v2 = await makeRepo(join(dir, 'locked-v2'), [pkg('alpha'), pkg('beta')]);
    const v3 = await makeRepo(join(dir, 'locked-v3'), [pkg('beta')]);
    const first = await syncRepo({ store, repo: 'el9', from: [v1] });
    const second = await syncRepo({ store, repo: 'el9', from: [v2] });
    // A writer stopped after its commit record, before moving latest.txt: a sync would move it forward.
    const latestTxt = join(store, 'yum', 'el9', 'latest.txt');
    await writeFile(latestTxt, `${first.snapshot}\n`);

    const lock = await (await openStore(store)).lock(repoLockName('el9'), { purpose: 'a sync running meanwhile', timeoutMs: 1000 });
    try {
      const started = Date.now();
      const dry = await syncRepo({ store, repo: 'el9', from: [v3], dryRun: true, lockTimeoutMs: 200 });
      expect(dry).toMatchObject({ dryRun: true, changed: true, previous: second.snapshot, changes: { added: [], removed: ['alpha-1.0-1.noarch'] } });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await lock.release();
    }
    expect(await readFile(latestTxt, 'utf8')).toBe(`${first.snapshot}\n`);
  });

  it('checks the store as a writer would: a directory that is not a store is refused, unchanged', async () => {
    const src = await makeRepo(join(dir, 'refused-src'), [pkg('alpha')]);
    const webRoot = join(dir, 'web-root');
    await mkdir(webRoot);
    await writeFile(join(webRoot, 'index.html'), '<html></html>\n');
    const before = await fileTree(webRoot);
    await expect(syncRepo({ store: webRoot, repo: 'el9', from: [src], dryRun: true })).rejects.toMatchObject({ code: 'E_STORE', message: expect.stringContaining('is not empty and is not an ovirt-repo store') });
    expect(await fileTree(webRoot)).toEqual(before);
  });
});

/** The real binary with --dry-run: --all over ovirt-repo.yaml (a reposync config section among them), the --json shape, the text. */
describeWithTools(['createrepo_c'], 'ovirt-repo mirror sync --dry-run', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ensurePluginBuilt();
    ({ dir, cleanup } = await makeTempDir());
  });
  afterAll(() => cleanup());

  const json = async (args: string[], env: Record<string, string>) => {
    const r = await ovirtRepo([...args, '--json'], env);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };

  it('--all reports each configured repo and writes nothing; the real --all then does what it said', async () => {
    await makeRepo(join(dir, 'upstream'), [pkg('alpha'), pkg('alpha-debuginfo')]);
    await makeRepo(join(dir, 'el9'), [pkg('vdsm'), pkg('bash')]);
    await writeFile(join(dir, 'mirrors-reposync.conf'), `[ovirt-el9]\nbaseurl=file://${join(dir, 'el9')}/\nincludepkgs=vdsm*\n`);
    const store = join(dir, 'store');
    await writeFile(
      join(dir, 'ovirt-repo.yaml'),
      `store: ${store}\nrepos:\n  upstream-el9:\n    source: ${join(dir, 'upstream')}\n    exclude: ['*-debuginfo']\n  ovirt-el9:\n    config: ${join(dir, 'mirrors-reposync.conf')}\n`,
    );
    const env = { OVIRT_REPO_CONFIG: join(dir, 'ovirt-repo.yaml') };

    const dry = (await json(['mirror', 'sync', '--all', '--dry-run'], env)) as unknown as { results: SyncResult[] };
    expect(await fileTree(store)).toEqual({});
    expect(dry.results.map((r) => [r.repo, r.dryRun, r.changed, r.changes.added])).toEqual([
      ['ovirt-el9', true, true, ['vdsm-1.0-1.noarch']],
      ['upstream-el9', true, true, ['alpha-1.0-1.noarch']],
    ]);
    const real = (await json(['mirror', 'sync', '--all'], env)) as unknown as { results: SyncResult[] };
    expect(real.results.map(outcome)).toEqual(dry.results.map(outcome));
  });

  it('gives a real sync\'s --json fields, says "would" in text, and refuses --lock-timeout', async () => {
    const store = join(dir, 'shape-store');
    const v1 = await makeRepo(join(dir, 'shape-v1'), [pkg('alpha'), pkg('beta')]);
    const v2 = await makeRepo(join(dir, 'shape-v2'), [pkg('alpha', '2.0'), pkg('gamma')]);
    const env = { OVIRT_REPO_STORE: store };
    await json(['mirror', 'sync', 'el9', '--from', v1], env);

    const before = await fileTree(store);
    const text = await ovirtRepo(['mirror', 'sync', 'el9', '--from', v2, '--dry-run'], env);
    expect(text.code).toBe(0);
    expect(text.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^Dry run: would publish a new snapshot of el9 on \S+: 2 packages, \+2 -2, would download 2 packages \(\d+(\.\d+)? KiB\); nothing written$/),
      '  + alpha-2.0-1.noarch',
      '  + gamma-1.0-1.noarch',
      '  - alpha-1.0-1.noarch',
      '  - beta-1.0-1.noarch',
    ]);
    expect(`${text.stdout}${text.stderr}`).not.toMatch(/Published|Downloaded/);

    const dry = await json(['mirror', 'sync', 'el9', '--from', v2, '--dry-run'], env);
    expect(await fileTree(store)).toEqual(before);
    const real = await json(['mirror', 'sync', 'el9', '--from', v2], env);
    expect(dry).toMatchObject({ dryRun: true, changed: true, snapshot: null });
    expect(real).toMatchObject({ dryRun: false, changed: true, metadataChunks: expect.any(Object) });
    // The same fields, but what only a written snapshot has.
    expect(Object.keys(dry).sort()).toEqual(Object.keys(real).filter((k) => k !== 'metadataChunks').sort());

    const refused = await ovirtRepo(['mirror', 'sync', 'el9', '--from', v2, '--dry-run', '--lock-timeout', '1s'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--lock-timeout.*--dry-run|--dry-run.*--lock-timeout/);
  });

  it('shows a dry run among the examples of --help', async () => {
    const help = await ovirtRepo(['mirror', 'sync', '--help'], { FORCE_COLOR: '0' });
    expect(help.stdout).toMatch(/--dry-run +Report what the sync would add, remove and download/);
    expect(help.stdout).toContain('See what a sync would add, remove and download, without writing anything');
  });
});
