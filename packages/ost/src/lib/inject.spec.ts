import { chmod, lstat, mkdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { makeTempDir } from '@ovirt-repo/test-support';
import { readRunLock, type Logger } from '@ovirt-repo/core';
import { REPOSYNC_CONFIG } from '../../test/fixtures/configs.js';
import { refusedUrl, startServer, type TestServer } from '../../test/helpers/http-server.js';
import { injectFiles } from './inject.js';
import { verifyLock } from './lock/verify.js';

const fast = { tries: 2, retryDelayMs: 5, timeoutMs: 3000 };

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, info: () => undefined, debug: () => undefined, warn: (m) => void warnings.push(m), progress: () => ({ tick: () => undefined, done: () => undefined }) };
}

/** A store laid out as the mirror plugin writes it: yum/<repo>/<snapshot>/repodata/repomd.xml, plus the index. */
async function makeStore(root: string, snapshots: Record<string, string>): Promise<void> {
  for (const [repo, id] of Object.entries(snapshots)) {
    await mkdir(join(root, 'yum', repo, id, 'repodata'), { recursive: true });
    await writeFile(join(root, 'yum', repo, id, 'repodata', 'repomd.xml'), `<repomd><revision>${repo}/${id}</revision></repomd>\n`);
  }
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('injectFiles', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let server: TestServer;
  const snapshots = { 'centos-base-el7': '2024-05-01T10-00-01Z', 'epel-el7': '2024-05-01T10-00-02Z', 'experimental-master-el7': '2024-05-01T10-00-05Z' };

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    await makeStore(join(dir, 'store'), snapshots);
    server = await startServer({}, join(dir, 'store'));
    // The served index uses relative URLs, resolved against its own location.
    await writeFile(
      join(dir, 'store', 'yum', 'all_latest.json'),
      JSON.stringify({
        latest_ci_repos: {
          'centos-base-el7': `centos-base-el7/${snapshots['centos-base-el7']}`,
          'epel-el7': `epel-el7/${snapshots['epel-el7']}`,
          'fedora-updates-fc30': 'fedora-updates-fc30/never-synced',
          'before:ovirt-master-tested-el7': [['experimental-master-el7', `experimental-master-el7/${snapshots['experimental-master-el7']}`]],
        },
      }),
    );
    await mkdir(join(dir, 'suite'));
    await writeFile(join(dir, 'suite', 'reposync-config.repo'), REPOSYNC_CONFIG);
    await writeFile(join(dir, 'suite', 'extra.repo'), '[epel-el7]\nname = EPEL\nmetalink = https://mirrors.fedoraproject.org/metalink?repo=epel-7\n');
  });
  afterEach(async () => {
    await server.close();
    await cleanup();
  });

  it('injects every file a glob names, writes a lock, and --from-lock reproduces the output byte for byte', async () => {
    const mirrors = `${server.url}/yum/all_latest.json`;
    const result = await injectFiles({
      files: ['suite/*.repo'],
      mirrors,
      lockOut: 'run.lock.json',
      cwd: dir,
      http: fast,
      now: () => new Date('2024-05-01T12:00:00Z'),
    });
    expect(result.status).toBe('injected');
    expect(result.map).toEqual({ uri: mirrors, sources: [mirrors], repos: 3, insertions: 1 });
    expect(result.files.map((f) => [f.path.slice(dir.length), f.changed, f.injected.map((s) => s.section)])).toEqual([
      ['/suite/extra.repo', true, ['epel-el7']],
      ['/suite/reposync-config.repo', true, ['centos-base-el7', 'epel-el7', 'fedora-updates-fc30']],
    ]);
    const injected = await readFile(join(dir, 'suite', 'reposync-config.repo'), 'utf8');
    expect(injected).toContain(`[centos-base-el7]\nname = CentOS7 Base\nenabled = 1\n`);
    expect(injected).toContain(`baseurl = ${server.url}/yum/centos-base-el7/${snapshots['centos-base-el7']}\nproxy = _none_\n`);
    expect(await readFile(join(dir, 'suite', 'extra.repo'), 'utf8')).toBe(
      `[epel-el7]\nname = EPEL\nbaseurl = ${server.url}/yum/epel-el7/${snapshots['epel-el7']}\nproxy = _none_\n`,
    );

    const lock = await readRunLock(join(dir, 'run.lock.json'));
    expect(result.lock).toEqual({ path: join(dir, 'run.lock.json'), entries: 4 });
    expect(lock).toMatchObject({
      version: 1,
      createdAt: '2024-05-01T12:00:00.000Z',
      createdBy: expect.stringMatching(/^ovirt-repo\//),
      map: { uri: mirrors, varname: 'latest_ci_repos', sources: [mirrors] },
      options: { allowProxy: false, noneValue: null },
    });
    const digest = (repo: keyof typeof snapshots) => ({
      sha256: sha256(`<repomd><revision>${repo}/${snapshots[repo]}</revision></repomd>\n`),
      size: `<repomd><revision>${repo}/${snapshots[repo]}</revision></repomd>\n`.length,
    });
    expect(lock.entries).toEqual([
      { repo: 'epel-el7', url: `${server.url}/yum/epel-el7/${snapshots['epel-el7']}`, repomd: digest('epel-el7') },
      {
        repo: 'experimental-master-el7',
        url: `${server.url}/yum/experimental-master-el7/${snapshots['experimental-master-el7']}`,
        before: 'ovirt-master-tested-el7',
        repomd: digest('experimental-master-el7'),
      },
      { repo: 'centos-base-el7', url: `${server.url}/yum/centos-base-el7/${snapshots['centos-base-el7']}`, repomd: digest('centos-base-el7') },
      {
        repo: 'fedora-updates-fc30',
        url: `${server.url}/yum/fedora-updates-fc30/never-synced`,
        repomd: null,
        repomdError: expect.stringContaining('HTTP 404'),
      },
    ]);
    expect(lock.files).toEqual([
      { path: join(dir, 'suite', 'extra.repo'), injected: ['epel-el7'], inserted: [], skipped: [] },
      {
        path: join(dir, 'suite', 'reposync-config.repo'),
        injected: ['centos-base-el7', 'epel-el7', 'fedora-updates-fc30'],
        inserted: ['experimental-master-el7'],
        skipped: [],
      },
    ]);

    // Reproduce on a fresh copy with the map server gone: the lock alone gives the same bytes.
    await mkdir(join(dir, 'again'));
    await writeFile(join(dir, 'again', 'reposync-config.repo'), REPOSYNC_CONFIG);
    await server.close();
    const again = await injectFiles({ files: [join(dir, 'again', 'reposync-config.repo')], fromLock: join(dir, 'run.lock.json') });
    expect(again.map).toMatchObject({ uri: null, fromLock: join(dir, 'run.lock.json'), repos: 3, insertions: 1 });
    expect(await readFile(join(dir, 'again', 'reposync-config.repo'), 'utf8')).toBe(injected);
  });

  it('lock verify reports unchanged, changed, missing and unreachable repos', async () => {
    await injectFiles({ files: ['suite/reposync-config.repo'], mirrors: `${server.url}/yum/all_latest.json`, lockOut: 'run.lock.json', cwd: dir, http: fast });
    const lockPath = join(dir, 'run.lock.json');
    let result = await verifyLock(lockPath, { http: fast });
    expect(result.entries.map((e) => [e.repo, e.status])).toEqual([
      ['experimental-master-el7', 'unchanged'],
      ['centos-base-el7', 'unchanged'],
      ['epel-el7', 'unchanged'],
      ['fedora-updates-fc30', 'missing'],
    ]);
    expect(result.ok).toBe(false);

    // Snapshots are immutable; a changed repomd.xml is exactly what verify exists to catch.
    await writeFile(join(dir, 'store', 'yum', 'epel-el7', snapshots['epel-el7'], 'repodata', 'repomd.xml'), '<repomd>rewritten</repomd>\n');
    await rm(join(dir, 'store', 'yum', 'centos-base-el7'), { recursive: true });
    result = await verifyLock(lockPath, { http: fast });
    expect(result.entries.map((e) => [e.repo, e.status])).toEqual([
      ['experimental-master-el7', 'unchanged'],
      ['centos-base-el7', 'missing'],
      ['epel-el7', 'changed'],
      ['fedora-updates-fc30', 'missing'],
    ]);
    const epel = result.entries.find((e) => e.repo === 'epel-el7')!;
    expect(epel.actual).toEqual({ sha256: sha256('<repomd>rewritten</repomd>\n'), size: 27 });
    expect(epel.expected).not.toEqual(epel.actual);
    expect(result.counts).toEqual({ unchanged: 1, changed: 1, missing: 2, unreachable: 0, unrecorded: 0, skipped: 0 });

    await server.close();
    result = await verifyLock(lockPath, { http: fast });
    expect(new Set(result.entries.map((e) => e.status))).toEqual(new Set(['unreachable']));
  });

  it('leaves every file unchanged and warns when the map is unreachable; --strict makes it an error', async () => {
    const before = await stat(join(dir, 'suite', 'reposync-config.repo'));
    const logger = recordingLogger();
    const down = await refusedUrl();
    const result = await injectFiles({ files: ['suite/*.repo'], mirrors: `${down}/all_latest.json`, lockOut: 'run.lock.json', cwd: dir, http: fast, logger });
    expect(result.status).toBe('unreachable');
    expect(result.files.every((f) => !f.changed)).toBe(true);
    expect(logger.warnings).toEqual([expect.stringMatching(/^mirror map unreachable, configs left unchanged: GET .* failed: .*ECONNREFUSED/)]);
    expect(await readFile(join(dir, 'suite', 'reposync-config.repo'), 'utf8')).toBe(REPOSYNC_CONFIG);
    expect((await stat(join(dir, 'suite', 'reposync-config.repo'))).mtimeMs).toBe(before.mtimeMs);
    const lock = await readRunLock(join(dir, 'run.lock.json'));
    expect(lock.entries).toEqual([]);
    expect(lock.map.unreachable).toMatch(/ECONNREFUSED/);

    await expect(injectFiles({ files: ['suite/*.repo'], mirrors: `${down}/all_latest.json`, strict: true, cwd: dir, http: fast })).rejects.toMatchObject({
      code: 'E_FETCH',
      data: { unreachable: true },
    });
    // 5xx after every try is "unreachable" too.
    const busy = await startServer({ '/all_latest.json': { status: 503 } });
    try {
      expect((await injectFiles({ files: ['suite/*.repo'], mirrors: `${busy.url}/all_latest.json`, cwd: dir, http: fast })).status).toBe('unreachable');
      expect(busy.requests).toHaveLength(2);
    } finally {
      await busy.close();
    }
  });

  it('fails on a 404 map: a wrong URL is a mistake, not an outage', async () => {
    await expect(injectFiles({ files: ['suite/*.repo'], mirrors: `${server.url}/yum/typo.json`, cwd: dir, http: fast })).rejects.toMatchObject({
      code: 'E_FETCH',
      data: { status: 404, unreachable: false },
    });
  });

  it('writes nothing when any config does not parse', async () => {
    await writeFile(join(dir, 'suite', 'zz-broken.repo'), '[epel-el7]\nbaseurl = x\nnot an option\n');
    await expect(injectFiles({ files: ['suite/*.repo'], mirrors: `${server.url}/yum/all_latest.json`, cwd: dir, http: fast })).rejects.toMatchObject({
      code: 'E_CONFIG_INVALID',
      message: expect.stringMatching(/zz-broken\.repo:3: cannot parse "not an option"/),
    });
    expect(await readFile(join(dir, 'suite', 'reposync-config.repo'), 'utf8')).toBe(REPOSYNC_CONFIG);
  });

  it('updates the target of a symlinked config, keeps its mode and any non-UTF-8 bytes', async () => {
    const latin1 = Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from('\n[epel-el7]\nbaseurl=http://old\n')]);
    await writeFile(join(dir, 'real.repo'), latin1);
    await chmod(join(dir, 'real.repo'), 0o600);
    await symlink(join(dir, 'real.repo'), join(dir, 'link.repo'));
    await injectFiles({ files: ['link.repo'], mirrors: `${server.url}/yum/all_latest.json`, cwd: dir, http: fast });
    expect((await lstat(join(dir, 'link.repo'))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(dir, 'link.repo'))).toBe(join(dir, 'real.repo'));
    expect((await stat(join(dir, 'real.repo'))).mode & 0o777).toBe(0o600);
    const out = await readFile(join(dir, 'real.repo'));
    expect(out.subarray(0, 6)).toEqual(Buffer.from([0x23, 0x20, 0x63, 0x61, 0x66, 0xe9]));
    expect(out.toString('latin1')).toContain(`baseurl=${server.url}/yum/epel-el7/${snapshots['epel-el7']}\nproxy=_none_\n`);
  });

  it('refuses to run without a map, and --from-lock combined with map options', async () => {
    await expect(injectFiles({ files: ['suite/extra.repo'], cwd: dir })).rejects.toMatchObject({ code: 'E_USAGE', message: 'no mirror map given' });
    await expect(injectFiles({ files: ['suite/extra.repo'], cwd: dir, fromLock: 'x.json', mirrors: 'y', allowProxy: true })).rejects.toMatchObject({
      code: 'E_USAGE',
      message: '--from-lock cannot be combined with --mirrors, --allow-proxy',
    });
  });
});
