// npm run release, checked the way a CI maintainer would use its artifacts: built once (beforeAll), then
// installed on this machine from the files alone, with no registry and an empty npm cache, and run.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { writeRpm } from '@ovirt-repo/rpm-writer';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { release, workspaceRoot, type ReleaseResult } from '../src/release.js';

/** What the tests parse is read without colours, which CI forces (FORCE_COLOR) and oclif puts between a plugin's name and version. */
const NO_COLOURS = { FORCE_COLOR: '0' };

const version = (JSON.parse(await readFile(join(workspaceRoot, 'packages', 'ovirt-repo', 'package.json'), 'utf8')) as { version: string }).version;

/** `npm install -g --offline` of a tarball into `prefix`; any registry request fails (port 9 refuses). */
async function installOffline(tarball: string, prefix: string, cache: string): Promise<void> {
  await execa('npm', ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, tarball], {
    env: { npm_config_registry: 'http://127.0.0.1:9/', npm_config_cache: cache, npm_config_update_notifier: 'false' },
  });
}

/** Runs an installed `ovirt-repo` with --json; returns exit code and parsed stdout. */
async function run<T = Record<string, unknown>>(bin: string, args: string[]): Promise<{ exitCode: number; json: T; stderr: string }> {
  const r = await execa(bin, [...args, '--json'], { reject: false });
  let json: T;
  try {
    json = JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`${bin} ${args.join(' ')} printed no JSON (exit ${r.exitCode}):\n${r.stdout}\n${r.stderr}`);
  }
  return { exitCode: r.exitCode ?? -1, json, stderr: r.stderr };
}

async function ok<T = Record<string, unknown>>(bin: string, args: string[]): Promise<T> {
  const r = await run<T>(bin, args);
  if (r.exitCode !== 0) throw new Error(`${bin} ${args.join(' ')} exited ${r.exitCode}:\n${JSON.stringify(r.json)}\n${r.stderr}`);
  return r.json;
}

describeWithTools(['npm', 'tar', 'rpm', 'rpmlint', 'dnf'], 'npm run release', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let built: ReleaseResult;
  let full: string;
  let publisher: string;

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir('release-'));
    const out = join(dir, 'release');
    await mkdir(out);
    await writeFile(join(out, 'stale.tgz'), 'from an earlier run\n');
    built = await release(workspaceRoot, out);
    full = join(dir, 'full');
    publisher = join(dir, 'publisher');
    await Promise.all([
      installOffline(join(out, `ovirt-repo-${version}.tgz`), full, join(dir, 'cache-full')),
      installOffline(join(out, `ovirt-repo-publisher-${version}.tgz`), publisher, join(dir, 'cache-publisher')),
    ]);
  }, 300_000);

  afterAll(async () => cleanup?.());

  it('writes the two npm tarballs and the RPM in a mini repo, and nothing else (an earlier run is cleared)', () => {
    expect(built.files.filter((f) => !f.startsWith('repo/repodata/'))).toEqual([
      `ovirt-repo-${version}.tgz`,
      `ovirt-repo-publisher-${version}.tgz`,
      `repo/ovirt-repo-${version}-1.noarch.rpm`,
    ]);
    expect(built.files).toContain('repo/repodata/repomd.xml');
  });

  describe('the full distribution, installed offline', () => {
    const bin = (): string => join(full, 'bin', 'ovirt-repo');

    it('has every feature plugin', async () => {
      const r = await execa(bin(), ['plugins'], { env: NO_COLOURS });
      for (const p of ['minirepo', 'mirror', 'ost', 'publisher']) expect(r.stdout).toContain(`@ovirt-repo/plugin-${p} ${version}`);
    });

    it('runs the demo flow: minirepo create -> mirror sync -> inject -> publish', async () => {
      const work = join(dir, 'flow');
      const build = join(work, 'build');
      const upstream = join(work, 'upstream');
      const store = join(work, 'store');
      for (const [d, name] of [[build, 'ovirt-engine'], [upstream, 'bash']] as const) {
        await writeRpm({ name, version: '1.0', release: '1', arch: 'noarch', files: [{ path: `/usr/bin/${name}`, contents: `#!/bin/sh\necho ${name}\n`, mode: 0o755 }] }, d);
      }
      // xz and zstd metadata: the bundled lzma-native prebuild and the zstd WASM module load from the install.
      await ok(bin(), ['minirepo', 'create', build, '--compress', 'xz']);
      await ok(bin(), ['minirepo', 'create', upstream, '--compress', 'zstd']);
      const deploy = await ok<{ repo: string; added: number }>(bin(), ['mirror', 'sync', 'experimental-master-el9', '--mode', 'additive', '--from', build, '--store', store]);
      expect(deploy).toMatchObject({ repo: 'experimental-master-el9', added: 1 });
      const mirrored = await ok<{ added: number }>(bin(), ['mirror', 'sync', 'centos-stream-9-baseos', '--from', upstream, '--store', store]);
      expect(mirrored.added).toBe(1);

      const config = join(work, 'reposync-config.repo');
      await writeFile(config, '[centos-stream-9-baseos]\nbaseurl=https://example.invalid/baseos/\n\n[experimental-master-el9]\nbaseurl=https://example.invalid/exp/\n');
      const lock = join(work, 'run.lock.json');
      const injected = await ok<{ files: Array<{ injected: Array<{ section: string }> }> }>(bin(), [
        'inject', config, '--mirrors', pathToFileURL(join(store, 'yum', 'all_latest.json')).href, '--lock-out', lock,
      ]);
      expect(injected.files[0]?.injected.map((i) => i.section).sort()).toEqual(['centos-stream-9-baseos', 'experimental-master-el9']);
      expect(await readFile(config, 'utf8')).toContain(pathToFileURL(store).href);

      const published = await ok<{ added: unknown[] }>(bin(), ['publish', '--from-lock', lock, '--repo', 'experimental-master-el9', '--to', join(work, 'public')]);
      expect(published.added).toHaveLength(1);
      expect(existsSync(join(work, 'public', 'repodata', 'repomd.xml'))).toBe(true);

      // The publisher-only install publishes from the same lock and store.
      const again = await ok<{ added: unknown[] }>(join(publisher, 'bin', 'ovirt-repo'), ['publish', '--from-lock', lock, '--repo', 'experimental-master-el9', '--to', join(work, 'public2')]);
      expect(again.added).toHaveLength(1);
    });
  });

  describe('the RPM', () => {
    const rpmFile = (): string => join(built.out, 'repo', `ovirt-repo-${version}-1.noarch.rpm`);

    it('passes rpm -K, and rpmlint with no error but those tools/release/ovirt-repo.rpmlintrc explains', async () => {
      expect((await execa('rpm', ['-K', rpmFile()])).stdout).toMatch(/: digests OK$/);
      const lint = await execa('rpmlint', ['-r', join(workspaceRoot, 'tools', 'release', 'ovirt-repo.rpmlintrc'), rpmFile()], { reject: false });
      expect(lint.stdout.split('\n').filter((l) => l.includes(': E: '))).toEqual([]);
      expect(lint.stdout).toMatch(/ 0 errors, /);
    });

    it('is noarch, requires nodejs >= 20, and marks the docs as %doc', async () => {
      const q = async (...args: string[]): Promise<string[]> => (await execa('rpm', ['-qp', ...args, rpmFile()])).stdout.split('\n');
      expect(await q('--qf', '%{NAME} %{ARCH} %{LICENSE}')).toEqual(['ovirt-repo noarch Apache-2.0']);
      expect(await q('--requires')).toEqual(expect.arrayContaining(['nodejs >= 20', '/bin/sh']));
      expect(await q('--docfiles')).toEqual(expect.arrayContaining(['/usr/share/doc/ovirt-repo/README.md', '/usr/share/doc/ovirt-repo/docs/install.md']));
    });

    it('installs with dnf from its own mini repo into an empty root, and the installed files run', async () => {
      // An empty install root has no nodejs to satisfy `Requires: nodejs >= 20`, and no shell for the
      // launcher's /bin/sh. A second repo stands in for the distribution's AppStream and BaseOS: packages
      // written by rpm-writer that provide exactly those, with no files. The installed tree is then run with
      // this machine's node, as the launcher would run it with the real nodejs package's.
      const distro = join(dir, 'distro-standin');
      await writeRpm({ name: 'nodejs', version: '20.19.0', release: '1.standin', arch: 'x86_64' }, distro);
      await writeRpm({ name: 'bash', version: '5.1.8', release: '1.standin', arch: 'x86_64', dependencies: { provides: [{ name: '/bin/sh' }] } }, distro);
      await execa(join(full, 'bin', 'ovirt-repo'), ['minirepo', 'create', distro]);
      const root = join(dir, 'root');
      await execa('dnf', [
        '-y', '-q', `--installroot=${root}`, '--releasever=9', '--setopt=reposdir=/dev/null', '--disableplugin=local',
        `--setopt=cachedir=${join(dir, 'dnf-cache')}`, '--setopt=install_weak_deps=False', '--nogpgcheck',
        `--repofrompath=ovirt-repo,${pathToFileURL(join(built.out, 'repo')).href}`,
        `--repofrompath=distro-standin,${pathToFileURL(distro).href}`,
        'install', 'ovirt-repo',
      ]);
      const installed = (await execa('rpm', ['--root', root, '-qa', '--qf', '%{NAME}-%{VERSION}\n'])).stdout.split('\n').sort();
      expect(installed).toEqual(['bash-5.1.8', 'nodejs-20.19.0', `ovirt-repo-${version}`]);
      // Every installed file has the size, digest, mode and link count the package lists.
      const verify = await execa('rpm', ['--root', root, '-V', 'ovirt-repo'], { reject: false });
      expect(verify.stdout).toBe('');
      expect(verify.exitCode).toBe(0);

      const launcher = await readFile(join(root, 'usr', 'bin', 'ovirt-repo'), 'utf8');
      expect(launcher).toContain('exec /usr/bin/node /usr/lib/ovirt-repo/bin/run.js "$@"');
      const schema = join(root, 'usr', 'share', 'ovirt-repo', 'ovirt-repo.schema.json');
      expect(await readFile(schema, 'utf8')).toBe(await readFile(join(workspaceRoot, 'packages', 'core', 'schema', 'ovirt-repo.schema.json'), 'utf8'));
      expect(existsSync(join(root, 'usr', 'share', 'doc', 'ovirt-repo', 'README.md'))).toBe(true);

      const main = join(root, 'usr', 'lib', 'ovirt-repo', 'bin', 'run.js');
      const plugins = await execa(process.execPath, [main, 'plugins'], { env: NO_COLOURS });
      for (const p of ['minirepo', 'mirror', 'ost', 'publisher']) expect(plugins.stdout).toContain(`@ovirt-repo/plugin-${p} ${version}`);
      const verified = await execa(process.execPath, [main, 'minirepo', 'verify', join(built.out, 'repo'), '--json']);
      expect(JSON.parse(verified.stdout)).toMatchObject({ packages: 1, metadataFiles: 3 });
    });
  });

  describe('the publisher-only set, installed offline', () => {
    const bin = (): string => join(publisher, 'bin', 'ovirt-repo');

    it('has the publisher plugin and no other', async () => {
      const r = await execa(bin(), ['plugins'], { env: NO_COLOURS });
      expect(r.stdout).toContain(`@ovirt-repo/plugin-publisher ${version}`);
      expect(r.stdout).not.toMatch(/plugin-(minirepo|mirror|ost)/);
    });

    it('has publish, and says mirror sync comes with a plugin not installed here (usage error, exit 2)', async () => {
      const help = await execa(bin(), ['publish', '--help'], { env: { FORCE_COLOR: '0' } });
      expect(help.stdout).toContain('--from-lock');
      const r = await run<{ error: { code: string; message: string; hint: string } }>(bin(), ['mirror', 'sync', 'x']);
      expect(r.exitCode).toBe(2);
      expect(r.json.error).toMatchObject({ code: 'E_USAGE', message: '"mirror" comes with @ovirt-repo/plugin-mirror, which is not installed here', hint: expect.stringContaining('docs/install.md') });
    });
  });
});
