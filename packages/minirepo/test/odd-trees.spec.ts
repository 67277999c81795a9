// Build output trees as they are found in CI (issue 15 item 15): dangling and directory symlinks, link
// loops, file names that are not UTF-8. createrepo_c on the same tree and dnf are the references.
import { execFile } from 'node:child_process';
import { mkdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { execa } from 'execa';
import { readRepo, silentLogger } from '@ovirt-repo/core';
import { writeRpm } from '@ovirt-repo/rpm-writer';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { createMiniRepo } from '../src/lib/create-mini-repo.js';
import { ovirtRepoBin, specs } from './helpers.js';

const run = promisify(execFile);

/** `href name` of every package a repo lists, sorted. */
async function listed(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const p of (await readRepo(dir)).packages()) out.push(`${p.location.href} ${p.name}`);
  return out.sort();
}

describeWithTools(['createrepo_c', 'dnf'], 'minirepo create on odd build trees, as createrepo_c', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    await writeFile(join(dir, 'dnf.conf'), '[main]\n');
  });
  afterEach(() => cleanup());

  /** createrepo_c's repo of a copy of `tree` (links copied as links, names as bytes). */
  async function createrepo(tree: string): Promise<string> {
    const copy = join(dir, 'createrepo-copy');
    await run('cp', ['-a', tree, copy]);
    await run('createrepo_c', ['--no-database', '--quiet', copy]);
    return copy;
  }

  let dnfRuns = 0;
  const dnfInstall = (repo: string, name: string) =>
    execa('dnf', [
      '-y', '--config', join(dir, 'dnf.conf'), '--setopt=reposdir=/dev/null', '--disableplugin=local',
      `--setopt=cachedir=${join(dir, `cache-${dnfRuns}`)}`, '--releasever', '9', '--nogpgcheck',
      `--repofrompath=r,file://${repo}`, '--repo', 'r', '--installroot', join(dir, `root-${dnfRuns++}`), 'install', name,
    ], { reject: false });

  it('skips a dangling *.rpm symlink with a warning, as createrepo_c skips it; --json reports the warning', async () => {
    const tree = join(dir, 'exported-artifacts');
    await mkdir(tree);
    await writeRpm(specs[1]!, tree);
    await symlink('gone-1.0-1.noarch.rpm', join(tree, 'dangling-1.0-1.noarch.rpm'));
    const warnings: string[] = [];
    const result = await createMiniRepo({ dir: tree, logger: { ...silentLogger, warn: (m) => void warnings.push(m) } });
    expect(result.packages).toBe(1);
    expect(warnings).toEqual([expect.stringContaining(`${join(tree, 'dangling-1.0-1.noarch.rpm')} is a symlink to nothing`)]);
    expect(await listed(tree)).toEqual(await listed(await createrepo(tree)));

    const json = await execa(process.execPath, [ovirtRepoBin, 'minirepo', 'create', tree, '--json'], { reject: false });
    expect(json.exitCode).toBe(0);
    expect(JSON.parse(json.stdout).warnings).toEqual(warnings);
  });

  it('follows a symlinked directory (exported-artifacts/el9 -> ../build/el9) as createrepo_c does, and dnf installs from it', async () => {
    const tree = join(dir, 'exported-artifacts');
    await mkdir(join(dir, 'build', 'el9'), { recursive: true });
    await mkdir(tree);
    await writeRpm(specs[1]!, join(dir, 'build', 'el9'));
    await writeRpm({ ...specs[1]!, name: 'gamma' }, tree);
    await symlink(join('..', 'build', 'el9'), join(tree, 'el9'));
    await createMiniRepo({ dir: tree });
    expect(await listed(tree)).toEqual(['el9/beta-0.9-3.noarch.rpm beta', 'gamma-0.9-3.noarch.rpm gamma']);
    expect(await listed(tree)).toEqual(await listed(await createrepo(tree)));
    expect((await dnfInstall(tree, 'beta')).exitCode).toBe(0);
  });

  it('walks each directory once, by its own path before any link to it, through link loops (createrepo_c lists packages again at every depth)', async () => {
    const tree = join(dir, 'exported-artifacts');
    await mkdir(join(tree, 'sub'), { recursive: true });
    await writeRpm(specs[1]!, join(tree, 'sub'));
    await symlink('..', join(tree, 'sub', 'up'));
    await symlink('.', join(tree, 'self'));
    await symlink('sub', join(tree, 'again'));
    const started = Date.now();
    await createMiniRepo({ dir: tree });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await listed(tree)).toEqual(['sub/beta-0.9-3.noarch.rpm beta']);
  });

  it('refuses a package whose file name is not UTF-8, naming it, and leaves repodata as it was; createrepo_c writes an href dnf cannot fetch', async () => {
    const tree = join(dir, 'exported-artifacts');
    await mkdir(tree);
    await writeRpm(specs[1]!, tree);
    await createMiniRepo({ dir: tree });
    const before = await readFile(join(tree, 'repodata', 'repomd.xml'));
    const gamma = await writeRpm({ ...specs[1]!, name: 'gamma' }, tree);
    const raw = Buffer.concat([Buffer.from(`${tree}/gamma-`), Buffer.from([0xff, 0xfe]), Buffer.from('-0.9-3.noarch.rpm')]);
    await rename(gamma, raw as unknown as string);
    await expect(createMiniRepo({ dir: tree })).rejects.toMatchObject({
      code: 'E_UNSAFE_PATH',
      message: expect.stringContaining('gamma-\\xFF\\xFE-0.9-3.noarch.rpm'),
      hint: expect.stringContaining('rename'),
    });
    expect(await readFile(join(tree, 'repodata', 'repomd.xml'))).toEqual(before);

    const theirs = await createrepo(tree);
    expect((await listed(theirs)).some((l) => l.startsWith('gamma-'))).toBe(true);
    const install = await dnfInstall(theirs, 'gamma');
    expect(install.exitCode).not.toBe(0);
    expect(`${install.stdout}${install.stderr}`).toMatch(/No such file|incorrect checksum/);
  });

  it('ignores a directory whose name is not UTF-8 when it holds no package', async () => {
    const tree = join(dir, 'exported-artifacts');
    await mkdir(tree);
    await writeRpm(specs[1]!, tree);
    const odd = Buffer.concat([Buffer.from(`${tree}/logs-`), Buffer.from([0xe9])]);
    await mkdir(odd as unknown as string);
    await writeFile(Buffer.concat([odd, Buffer.from('/build.log')]) as unknown as string, 'log\n');
    const result = await createMiniRepo({ dir: tree });
    expect(result.packages).toBe(1);
  });
});
