import { mkdir, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { buildRpm, rpmFileName } from '@ovirt-repo/rpm-writer';
import { ovirtRepoRpmSpec } from './rpm.js';
import { packWorkspace, stageDistribution, type Distribution } from './stage.js';

/** The workspace this tool runs from (tools/release/src/ or dist/ -> the root). */
export const workspaceRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const FULL: Distribution = {
  name: 'ovirt-repo',
  description: 'ovirt-repo, the full distribution: the CLI with every plugin, dependencies bundled.',
  packages: ['@ovirt-repo/cli', '@ovirt-repo/core', '@ovirt-repo/plugin-minirepo', '@ovirt-repo/plugin-mirror', '@ovirt-repo/plugin-ost', '@ovirt-repo/plugin-publisher'],
};
const PUBLISHER: Distribution = {
  name: 'ovirt-repo-publisher',
  description: 'ovirt-repo for publishing hosts: the CLI with the publisher plugin only, dependencies bundled.',
  packages: ['@ovirt-repo/cli', '@ovirt-repo/core', '@ovirt-repo/plugin-publisher'],
};

/**
 * The npm tarball of a staged package: its files under `package/`, as `npm pack` writes them. Written with
 * tar directly: npm pack walks and checks each of the ~5,000 bundled files again, several times slower, and
 * its file list is already right (the stage holds exactly what ships). Sorted names, fixed times and
 * owners: the same stage gives the same archive.
 */
async function npmTarball(stage: string, file: string, time: number): Promise<void> {
  await execa('tar', [
    '--create', '--gzip', '--file', file, '--directory', stage,
    '--sort=name', `--mtime=@${time}`, '--owner=0', '--group=0', '--numeric-owner', '--mode=u+rw,go+r,go-w',
    '--transform=s,^\\.,package,', '.',
  ], { env: { GZIP: '-n' } });
}

export interface ReleaseResult {
  out: string;
  /** The artifacts, relative to `out`. */
  files: string[];
  started: number;
}

/**
 * Builds every release artifact into `out` (`<root>/dist/release/`, emptied first): the two npm tarballs
 * and repo/ (the RPM in a mini repo made by this build's own `minirepo create`).
 */
export async function release(root = workspaceRoot, out = join(root, 'dist', 'release')): Promise<ReleaseResult> {
  const started = Date.now();
  const version = (JSON.parse(readFileSync(join(root, 'packages', 'ovirt-repo', 'package.json'), 'utf8')) as { version: string }).version;
  // SOURCE_DATE_EPOCH or the last commit's time, not the clock: rebuilding the same commit gives the same RPM.
  const time = Number(process.env['SOURCE_DATE_EPOCH'] ?? (await execa('git', ['log', '-1', '--format=%ct'], { cwd: root })).stdout);
  if (!Number.isSafeInteger(time) || time < 0) throw new Error(`release: SOURCE_DATE_EPOCH (or the last commit's time) is not a number of seconds`);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });

  const stages = join(out, '.stage');
  const packed = join(stages, '.packages');
  await packWorkspace(root, FULL.packages, packed);
  for (const dist of [FULL, PUBLISHER]) {
    const stage = join(stages, dist.name);
    await stageDistribution(root, dist, version, packed, stage);
    await npmTarball(stage, join(out, `${dist.name}-${version}.tgz`), time);
  }

  const repo = join(out, 'repo');
  await mkdir(repo);
  const spec = ovirtRepoRpmSpec({
    version,
    stage: join(stages, FULL.name),
    readme: join(root, 'README.md'),
    docs: join(root, 'docs'),
    schema: join(root, 'packages', 'core', 'schema', 'ovirt-repo.schema.json'),
    time,
  });
  const rpm = join(repo, rpmFileName(spec));
  await writeFile(rpm, buildRpm(spec));
  // The repodata records the file's mtime: the build's time, so a rerun gives the same metadata.
  await utimes(rpm, time, time);
  await rm(stages, { recursive: true });
  await execa(process.execPath, [join(root, 'packages', 'ovirt-repo', 'bin', 'run.js'), 'minirepo', 'create', repo, '--revision', String(time)]);

  const files = (await readdir(out, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => relative(out, join(e.parentPath, e.name))).sort();
  return { out, files, started };
}
