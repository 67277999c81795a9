import { execFile, execFileSync } from 'node:child_process';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeWithTools, inCI, makeTempDir } from '@ovirt-repo/test-support';
import { syncRepo, type SyncResult } from '../src/index.js';
import { makeRepo, pkg } from './helpers/fixtures.js';
import { startNginx, type Nginx } from './helpers/nginx.js';

const run = promisify(execFile);

/** dnf download/reposync come from dnf-plugins-core. */
function hasDnfPlugins(): boolean {
  try {
    execFileSync('dnf', ['reposync', '--help'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** For dnf download and reposync: skipped (with a note) without dnf-plugins-core; in CI the suite fails instead. */
const itWithPlugins = hasDnfPlugins() || inCI() ? it : it.skip;

describeWithTools(['createrepo_c', 'dnf', 'nginx'], 'dnf uses snapshots over file:// and nginx', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: string;
  let snap: SyncResult;
  let nginx: Nginx;

  beforeAll(async () => {
    if (!hasDnfPlugins()) {
      const msg = 'dnf download/reposync need dnf-plugins-core (apt-get install -y dnf-plugins-core)';
      if (inCI()) throw new Error(msg);
      process.stderr.write(`[NOTE] ${msg}\n`);
    }
    ({ dir, cleanup } = await makeTempDir());
    store = join(dir, 'store');
    // Two builds of a small app: alpha requires beta; a later build of alpha.
    const b1 = await makeRepo(join(dir, 'b1'), [
      pkg('alpha', '1.0', '1', 'noarch', { dependencies: { requires: [{ name: 'beta' }] } }),
      pkg('beta', '2.1', '3', 'x86_64'),
    ]);
    const b2 = await makeRepo(join(dir, 'b2'), [pkg('alpha', '1.1', '1', 'noarch', { dependencies: { requires: [{ name: 'beta', flags: 'GE', version: '2.0' }] } })]);
    await syncRepo({ store, repo: 'exp', from: [b1], mode: 'additive' });
    snap = await syncRepo({ store, repo: 'exp', from: [b2], mode: 'additive' });
    await writeFile(join(dir, 'dnf.conf'), '[main]\n');
    nginx = await startNginx(store, join(dir, 'nginx'));
  });
  afterAll(async () => {
    await nginx?.stop();
    await cleanup();
  });

  const dnf = (baseurl: string, tag: string, ...args: string[]) =>
    run('dnf', [
      '-y',
      '--config', join(dir, 'dnf.conf'),
      '--setopt=reposdir=/dev/null',
      // dnf-plugins-core's local plugin offers every package ever installed on this machine.
      '--disableplugin=local',
      `--setopt=cachedir=${join(dir, `cache-${tag}`)}`,
      '--setopt=install_weak_deps=False',
      '--releasever', '9',
      '--nogpgcheck',
      `--repofrompath=snap,${baseurl}`,
      '--repo', 'snap',
      ...args,
    ], { maxBuffer: 16 << 20 });

  const baseurls = () => [
    ['file://', `file://${store}/yum/exp/${snap.snapshot}`],
    ['nginx', `${nginx.url}/yum/exp/${snap.snapshot}/`],
  ] as const;

  it.each([['file://'], ['nginx']])('dnf install resolves and installs from a snapshot over %s', async (kind) => {
    const baseurl = baseurls().find(([k]) => k === kind)![1];
    const root = join(dir, `root-${kind === 'nginx' ? 'http' : 'file'}`);
    await dnf(baseurl, `i-${kind.length}`, '--installroot', root, 'install', 'alpha');
    const { stdout } = await run('rpm', ['--root', root, '-qa', '--qf', '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\n']);
    expect(stdout.trim().split('\n').sort()).toEqual(['alpha-1.1-1.noarch', 'beta-2.1-3.x86_64']);
    expect((await stat(join(root, 'usr', 'share', 'alpha', 'README'))).isFile()).toBe(true);
  });

  itWithPlugins.each([['file://'], ['nginx']])('dnf download keeps the original file names over %s', async (kind) => {
    const baseurl = baseurls().find(([k]) => k === kind)![1];
    const dest = join(dir, `dl-${kind === 'nginx' ? 'http' : 'file'}`);
    await dnf(baseurl, `d-${kind.length}`, 'download', '--destdir', dest, 'alpha', 'beta');
    expect((await readdir(dest)).sort()).toEqual(['alpha-1.1-1.noarch.rpm', 'beta-2.1-3.x86_64.rpm']);
  });

  itWithPlugins.each([['file://'], ['nginx']])('dnf reposync mirrors the whole snapshot over %s', async (kind) => {
    const baseurl = baseurls().find(([k]) => k === kind)![1];
    const dest = join(dir, `rs-${kind === 'nginx' ? 'http' : 'file'}`);
    const { stderr } = await dnf(baseurl, `r-${kind.length}`, 'reposync', '-p', dest, '--download-metadata');
    expect(stderr).not.toMatch(/outside of download path/i);
    const files: string[] = [];
    const walk = async (d: string): Promise<void> => {
      for (const e of await readdir(d, { withFileTypes: true })) {
        if (e.isDirectory()) await walk(join(d, e.name));
        else files.push(join(d, e.name).slice(dest.length + 1));
      }
    };
    await walk(dest);
    const rpms = files.filter((f) => f.endsWith('.rpm')).sort();
    expect(rpms.map((f) => f.split('/').at(-1)).sort()).toEqual(['alpha-1.1-1.noarch.rpm', 'beta-2.1-3.x86_64.rpm']);
    for (const f of rpms) expect(f).toMatch(/^snap\/pool\/[0-9a-f]{2}\/[0-9a-f]{64}\/[^/]+\.rpm$/);
    expect(files).toContain('snap/repodata/repomd.xml');
    // The mirrored copy is itself a working repo.
    const root = join(dir, `root-from-reposync-${kind.length}`);
    await dnf(`file://${dest}/snap`, `rr-${kind.length}`, '--installroot', root, 'install', 'alpha');
    expect((await stat(join(root, 'usr', 'share', 'alpha', 'README'))).isFile()).toBe(true);
  });

  it('nginx serves the store with no rewrite rules: packages come through the pool link', async () => {
    const log = await nginx.accessLog();
    expect(log).toMatch(new RegExp(`GET /yum/exp/${snap.snapshot}/pool/[0-9a-f]{2}/[0-9a-f]{64}/alpha-1\\.1-1\\.noarch\\.rpm HTTP/1\\.1" 200`));
  });
});
