import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { ensurePluginBuilt, repoRoot } from './helpers/built.js';
import { makeRepo, pkg } from './helpers/fixtures.js';
import { ovirtRepo, startServe } from './helpers/commands.js';


describeWithTools(['createrepo_c'], 'the ovirt-repo binary', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ensurePluginBuilt();
    if (!existsSync(join(repoRoot, 'packages', 'cli', 'dist', 'bundle', 'index.js'))) throw new Error('packages/cli is not built: run `npx nx run-many -t build`');
    ({ dir, cleanup } = await makeTempDir());
  });
  afterAll(() => cleanup());

  it('syncs, lists and reports errors with exit codes', async () => {
    const src = await makeRepo(join(dir, 'src'), [pkg('alpha')]);
    const store = join(dir, 'store');
    const sync = await ovirtRepo(['mirror', 'sync', 'el9', '--from', src, '--json'], { OVIRT_REPO_STORE: store });
    expect(sync.code).toBe(0);
    const result = JSON.parse(sync.stdout);
    expect(result).toMatchObject({ repo: 'el9', changed: true, packages: 1, commitAttempts: 1 });

    const human = await ovirtRepo(['mirror', 'sync', 'el9', '--from', src], { OVIRT_REPO_STORE: store });
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('no change');
    // A change is reported once, counted for people.
    const another = await ovirtRepo(['mirror', 'sync', 'el8', '--from', src], { OVIRT_REPO_STORE: store });
    const published = `${another.stdout}${another.stderr}`.split('\n').filter((l) => l.startsWith('Published '));
    // The pool already holds the package: nothing downloaded.
    expect(published).toEqual([expect.stringMatching(/^Published el8\/\S+: 1 package, \+1 -0, 0 downloaded \(0 B\)$/)]);

    // --check-pool reaches the pool check even with nothing changed, and reports it.
    const checked = await ovirtRepo(['mirror', 'sync', 'el9', '--from', src, '--check-pool', '--json'], { OVIRT_REPO_STORE: store });
    expect(checked.code).toBe(0);
    expect(JSON.parse(checked.stdout)).toMatchObject({ changed: false, reason: expect.stringContaining('the pool holds every package'), downloaded: { count: 0 }, commitAttempts: 0 });

    // gc --dry-run says what it would do, not what it did.
    const dry = await ovirtRepo(['gc', '--dry-run', '--store', store]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^Would remove 0 snapshots and 0 pool files \(0 B\); kept 2 snapshots and 1 pool file; 0 leftovers to clean$/m);
    expect(`${dry.stdout}${dry.stderr}`).not.toMatch(/\bremoved\b/);

    const list = await ovirtRepo(['snapshot', 'list', 'el9', '--store', store]);
    expect(list.stdout).toContain(result.snapshot);
    expect(list.stdout).toContain('latest');

    const bad = await ovirtRepo(['mirror', 'sync', 'el9', '--from', join(dir, 'missing'), '--store', store]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`Error [E_NOT_FOUND]: source directory ${join(dir, 'missing')}/ does not exist`);
    // A directory that exists but holds no repodata/ is another mistake, named as such.
    const notRepo = await ovirtRepo(['mirror', 'sync', 'el9', '--from', dir, '--store', store]);
    expect(notRepo.code).toBe(1);
    expect(notRepo.stderr).toContain('the source is not a YUM repo (no repodata/repomd.xml)');
    expect(bad.stderr).toContain('Hint:');

    // A usage error raised by the command (not by oclif's parser) exits 2 as well.
    const badJson = await ovirtRepo(['mirror', 'sync', '../x', '--from', src, '--store', store, '--json']);
    expect(badJson.code).toBe(2);
    expect(JSON.parse(badJson.stdout).error.code).toBe('E_USAGE');

    // An error that names no fix of its own gets its code's hint: every error has one.
    const latest = (await readFile(join(store, 'yum', 'el9', 'latest.txt'), 'utf8')).trim();
    await rm(join(store, 'yum', 'el9', latest, 'repodata', 'repomd.xml'));
    const damaged = await ovirtRepo(['snapshot', 'verify', 'el9', '--store', store]);
    expect([damaged.code, damaged.stderr]).toEqual([1, expect.stringMatching(/^Error \[E_VERIFY_FAILED\]: snapshot el9\/\S+ has no repodata\/repomd.xml.*\nHint: Run the step that wrote it again/)]);
  });

  it('reports every warning in --json as it prints it to people', async () => {
    const store = join(dir, 'warn-store');
    const first = await ovirtRepo(['mirror', 'sync', 'el9', '--from', await makeRepo(join(dir, 'warn-a'), [pkg('alpha')]), '--store', store, '--json']);
    expect(JSON.parse(first.stdout).warnings).toEqual([]);
    // A latest snapshot without its record is warned about, and the sync starts afresh.
    await rm(join(store, 'yum', 'el9', JSON.parse(first.stdout).snapshot, 'snapshot.json'));
    const from = await makeRepo(join(dir, 'warn-b'), [pkg('alpha'), pkg('beta')]);
    const json = await ovirtRepo(['mirror', 'sync', 'el9', '--from', from, '--store', store, '--json']);
    expect(json.code).toBe(0);
    const { warnings, snapshot } = JSON.parse(json.stdout);
    expect(warnings).toEqual([expect.stringContaining('has no snapshot.json')]);
    await rm(join(store, 'yum', 'el9', snapshot, 'snapshot.json'));
    const human = await ovirtRepo(['mirror', 'sync', 'el9', '--from', await makeRepo(join(dir, 'warn-c'), [pkg('gamma')]), '--store', store]);
    expect(human.code).toBe(0);
    expect(human.stderr).toContain(`Warning: ${warnings[0].replace(JSON.parse(first.stdout).snapshot, snapshot)}`);
  });

  it('serve --access-log FILE appends a combined line per request; a log it cannot open fails at once, naming it', async () => {
    const store = join(dir, 'log-store');
    expect((await ovirtRepo(['mirror', 'sync', 'el9', '--from', await makeRepo(join(dir, 'log-src'), [pkg('alpha')]), '--store', store])).code).toBe(0);
    const log = join(dir, 'access.log');
    const serve = await startServe(['--store', store, '--access-log', log]);
    try {
      expect((await fetch(`${serve.url}/yum/el9/latest.txt`, { headers: { 'user-agent': 'dnf/4.14' } })).status).toBe(200);
      expect((await fetch(`${serve.url}/yum/el9/nope`)).status).toBe(404);
    } finally {
      serve.stop();
    }
    let text = '';
    for (let i = 0; i < 100 && text.split('\n').length < 3; i++) {
      text = existsSync(log) ? await readFile(log, 'utf8') : '';
      await new Promise((r) => setTimeout(r, 50));
    }
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^127\.0\.0\.1 - - \[[^\]]+\] "GET \/yum\/el9\/latest\.txt HTTP\/1\.1" 200 \d+ "-" "dnf\/4\.14"$/);
    expect(lines[1]).toMatch(/"GET \/yum\/el9\/nope HTTP\/1\.1" 404 /);

    const bad = await ovirtRepo(['serve', '--store', store, '--port', '0', '--access-log', join(dir, 'no-such-dir', 'access.log'), '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).error).toMatchObject({ code: 'E_IO', message: `cannot open the access log ${join(dir, 'no-such-dir', 'access.log')} for appending: its directory does not exist`, hint: expect.stringContaining('--access-log -') });
  });

  it('has help with examples for every command', async () => {
    for (const cmd of [['mirror', 'sync'], ['snapshot', 'list'], ['snapshot', 'show'], ['snapshot', 'diff'], ['snapshot', 'verify'], ['snapshot', 'pin'], ['snapshot', 'unpin'], ['gc'], ['index', 'write'], ['serve']]) {
      const h = await ovirtRepo([...cmd, '--help']);
      expect(h.code).toBe(0);
      expect(h.stdout).toContain('EXAMPLES');
    }
  });
});
