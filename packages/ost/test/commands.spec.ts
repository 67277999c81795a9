import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureOutput } from '@oclif/test';
import { makeTempDir } from '@ovirt-repo/test-support';
import Inject from '../src/commands/inject.js';
import LockVerify from '../src/commands/lock/verify.js';
import type { InjectFilesResult } from '../src/lib/inject.js';
import type { VerifyLockResult } from '../src/lib/lock/verify.js';
import { REPOSYNC_CONFIG } from './fixtures/configs.js';
import { refusedUrl, startServer, type TestServer } from './helpers/http-server.js';

// oclif loads the plugin's package.json (and manifest) from here.
const pluginRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('inject and lock verify commands (in process)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let server: TestServer;
  let exitCode: typeof process.exitCode;
  let cwd: string;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    const snap = join(dir, 'store', 'yum', 'centos-base-el7', 'S1');
    await mkdir(join(snap, 'repodata'), { recursive: true });
    await writeFile(join(snap, 'repodata', 'repomd.xml'), '<repomd/>\n');
    await writeFile(join(dir, 'store', 'yum', 'all_latest.json'), JSON.stringify({ latest_ci_repos: { 'centos-base-el7': 'centos-base-el7/S1' } }));
    server = await startServer({}, join(dir, 'store'));
    await writeFile(join(dir, 'reposync-config.repo'), REPOSYNC_CONFIG);
    exitCode = process.exitCode;
    cwd = process.cwd();
    process.chdir(dir);
  });
  afterEach(async () => {
    // A failing command sets process.exitCode; the test runner must not inherit it.
    process.exitCode = exitCode;
    process.chdir(cwd);
    await server.close();
    await cleanup();
  });

  it('inject --json prints the typed result and writes the lock', async () => {
    const { stdout, error } = await captureOutput(() =>
      Inject.run(['--json', '--mirrors', `${server.url}/yum/all_latest.json`, '*.repo', '--lock-out', 'run.lock.json'], pluginRoot),
    );
    expect(error).toBeUndefined();
    const result = JSON.parse(stdout) as InjectFilesResult;
    expect(result).toMatchObject({
      status: 'injected',
      map: { uri: `${server.url}/yum/all_latest.json`, repos: 1, insertions: 0 },
      files: [{ path: join(dir, 'reposync-config.repo'), changed: true, injected: [{ section: 'centos-base-el7', url: `${server.url}/yum/centos-base-el7/S1` }] }],
      lock: { path: join(dir, 'run.lock.json'), entries: 1 },
    });
    expect(await readFile(join(dir, 'reposync-config.repo'), 'utf8')).toContain(`baseurl = ${server.url}/yum/centos-base-el7/S1\nproxy = _none_\n`);
  });

  it('inject --json reports the repo_gpgcheck warning in warnings, and prints it on stderr without --json', async () => {
    await writeFile(join(dir, 'signed.repo'), '[centos-base-el7]\nbaseurl = http://old\nrepo_gpgcheck = 1\n');
    const json = await captureOutput(() => Inject.run(['--json', '-m', `${server.url}/yum/all_latest.json`, 'signed.repo'], pluginRoot));
    expect(json.error).toBeUndefined();
    const warning = `${join(dir, 'signed.repo')}:1: [centos-base-el7] has repo_gpgcheck on (line 3) and now reads ${server.url}/yum/centos-base-el7/S1: only snapshots of a repo that mirror sync signs have signed metadata`;
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'injected', warnings: [expect.stringContaining(warning)] });
    await writeFile(join(dir, 'signed.repo'), '[centos-base-el7]\nbaseurl = http://old\nrepo_gpgcheck = 1\n');
    const human = await captureOutput(() => Inject.run(['-m', `${server.url}/yum/all_latest.json`, 'signed.repo'], pluginRoot));
    expect(human.stderr).toContain(`Warning: ${warning}`);
  });

  it('inject prints a human summary, and warns but exits 0 when the map is unreachable', async () => {
    const ok = await captureOutput(() => Inject.run(['-m', `${server.url}/yum/all_latest.json`, 'reposync-config.repo'], pluginRoot));
    expect(ok.error).toBeUndefined();
    expect(ok.stdout).toContain(`Mirror map ${server.url}/yum/all_latest.json: 1 repos, 0 insertions`);
    expect(ok.stdout).toContain(`${join(dir, 'reposync-config.repo')}: injected centos-base-el7`);

    const down = await refusedUrl();
    const saved = process.env.CI_MIRRORS_URL;
    process.env.CI_MIRRORS_URL = `${down}/all_latest.json`;
    try {
      const warned = await captureOutput(() => Inject.run(['reposync-config.repo'], pluginRoot));
      expect(warned.error).toBeUndefined();
      expect(warned.stderr).toMatch(/Warning: mirror map unreachable, configs left unchanged: GET http:\/\/127\.0\.0\.1:\d+\/all_latest\.json failed/);
      expect(warned.stdout).toContain('Mirror map unreachable: 1 file(s) left unchanged.');
    } finally {
      if (saved === undefined) delete process.env.CI_MIRRORS_URL;
      else process.env.CI_MIRRORS_URL = saved;
    }
  });

  it('inject --strict --json fails with the E_FETCH error as JSON', async () => {
    const down = await refusedUrl();
    const { stdout, error } = await captureOutput(() => Inject.run(['--json', '--strict', '-m', `${down}/m.json`, 'reposync-config.repo'], pluginRoot));
    expect(error?.message).toMatch(/EEXIT: 1/);
    expect(error?.oclif?.exit).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ error: { code: 'E_FETCH', data: { unreachable: true }, hint: expect.any(String) } });
    expect(await readFile(join(dir, 'reposync-config.repo'), 'utf8')).toBe(REPOSYNC_CONFIG);
  });

  it('inject reports a config error with file and line on stderr', async () => {
    await writeFile(join(dir, 'bad.repo'), '[a]\nbaseurl = x\noops\n');
    const { stderr, error } = await captureOutput(() => Inject.run(['-m', `${server.url}/yum/all_latest.json`, 'bad.repo'], pluginRoot));
    expect(error?.message).toMatch(/EEXIT: 1/);
    expect(stderr).toContain(`Error [E_CONFIG_INVALID]: ${join(dir, 'bad.repo')}:3: cannot parse "oops"`);
  });

  it('lock verify --json lists each entry; a changed repomd.xml fails with every status in error.data', async () => {
    await captureOutput(() => Inject.run(['--json', '-m', `${server.url}/yum/all_latest.json`, 'reposync-config.repo', '--lock-out', 'run.lock.json'], pluginRoot));

    const ok = await captureOutput(() => LockVerify.run(['--json', 'run.lock.json'], pluginRoot));
    expect(ok.error).toBeUndefined();
    const result = JSON.parse(ok.stdout) as VerifyLockResult;
    expect(result).toMatchObject({ ok: true, lock: join(dir, 'run.lock.json'), entries: [{ repo: 'centos-base-el7', status: 'unchanged' }] });

    const human = await captureOutput(() => LockVerify.run(['run.lock.json'], pluginRoot));
    expect(human.stdout).toContain(`unchanged   centos-base-el7 ${server.url}/yum/centos-base-el7/S1`);
    expect(human.stdout).toContain('OK: 1 of 1 locked repos unchanged');

    await writeFile(join(dir, 'store', 'yum', 'centos-base-el7', 'S1', 'repodata', 'repomd.xml'), '<repomd>changed</repomd>\n');
    const failed = await captureOutput(() => LockVerify.run(['--json', 'run.lock.json'], pluginRoot));
    expect(failed.error?.message).toMatch(/EEXIT: 1/);
    expect(failed.error?.oclif?.exit).toBe(1);
    const body = JSON.parse(failed.stdout);
    expect(body.error).toMatchObject({
      code: 'E_VERIFY_FAILED',
      message: `1 of 1 locked repos no longer serve what ${join(dir, 'run.lock.json')} recorded: centos-base-el7 changed`,
      data: { ok: false, entries: [{ repo: 'centos-base-el7', status: 'changed' }], counts: { changed: 1 } },
    });
  });
});
