import { spawnSync } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { corpusSpec, makeCorpus } from './corpus.js';
import { writeRpm } from './write-rpm.js';

function run(cmd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');
const CORPUS = 2000;

describeWithTools(['createrepo_c', 'dnf', 'rpm'], 'written packages in a YUM repo', () => {
  let dir: string;
  let repo: string;
  let cleanup: () => Promise<void>;

  /** dnf against only our repo, with its cache and rpmdb inside a throwaway install root. */
  const dnf = (args: string[]): { status: number | null; stdout: string; stderr: string } =>
    run('dnf', [
      '--setopt=reposdir=/dev/null',
      // dnf-plugins-core's local plugin offers every package ever installed on this machine.
      '--disableplugin=local',
      `--repofrompath=t,file://${repo}`,
      '--repo=t',
      `--installroot=${join(dir, 'root')}`,
      '--releasever=1',
      '-q',
      ...args,
    ]);

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir('rpm-repo-'));
    repo = join(dir, 'repo');
    await mkdir(join(dir, 'root'));
    await makeCorpus(CORPUS, repo);
    await writeRpm({ name: 'tool', epoch: 4, version: '2.1', release: '7', arch: 'x86_64', dependencies: { requires: [{ name: 'pkg-alpha-00000' }] } }, repo);
    await writeRpm({ name: 'tool', epoch: 4, version: '2.1', release: '7', arch: 'x86_64', source: true }, repo);
    const cr = run('createrepo_c', ['--no-database', repo]);
    if (cr.status !== 0) throw new Error(`createrepo_c failed: ${cr.stderr}`);
  });
  afterAll(() => cleanup?.());

  it('is indexed by createrepo_c with the right package count and source arch', async () => {
    const repomd = await readFile(join(repo, 'repodata/repomd.xml'), 'utf8');
    expect(repomd).toContain('<data type="primary">');
    const all = lines(dnf(['repoquery', '--qf', '%{name}-%{epoch}:%{version}-%{release}.%{arch}']).stdout);
    expect(all).toHaveLength(CORPUS + 2);
    expect(all).toContain('tool-4:2.1-7.x86_64');
    expect(all).toContain('tool-4:2.1-7.src');
    for (const i of [0, 6, 9, 1999]) {
      const s = corpusSpec(i);
      expect(all).toContain(`${s.name}-${s.epoch ?? 0}:${s.version}-${s.release}.${s.arch}`);
    }
    expect(lines(dnf(['repoquery', '--arch', 'noarch']).stdout)).toHaveLength(CORPUS / 10);
  });

  it('exposes dependencies and files to dnf', () => {
    expect(lines(dnf(['repoquery', '--requires', 'tool.x86_64']).stdout)).toEqual(['pkg-alpha-00000']);
    const s = corpusSpec(15);
    const requires = lines(dnf(['repoquery', '--requires', s.name]).stdout);
    expect(requires).toEqual(['pkg-delta-00013 >= 1.0', 'pkg-echo-00014']);
    expect(lines(dnf(['repoquery', '--whatprovides', 'pkg-capability-15']).stdout)).toHaveLength(CORPUS / 50);
    expect(lines(dnf(['repoquery', '-l', s.name]).stdout)).toContain(`/usr/bin/${s.name}`);
  });

  it('installs a package and its dependencies with dnf', () => {
    const s = corpusSpec(15);
    const install = dnf(['-y', '--nogpgcheck', '--setopt=install_weak_deps=False', 'install', s.name]);
    expect(install.status).toBe(0);
    const installed = lines(run('rpm', ['-qa', '--root', join(dir, 'root'), '--qf', '%{NAME}\n']).stdout).sort();
    expect(installed).toEqual(['pkg-delta-00013', 'pkg-echo-00014', 'pkg-foxtrot-00015']);
  });
});
