import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { writeRpm } from '@ovirt-repo/rpm-writer';

/** The full distribution's binary, as CI jobs run it. */
export const ovirtRepoBin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'run.js');

/** Run `ovirt-repo ARGS --json`; fail with everything it printed when it exits non-zero. */
export async function ovirtRepo<T = Record<string, unknown>>(args: string[]): Promise<T> {
  const r = await execa(process.execPath, [ovirtRepoBin, ...args, '--json'], { reject: false });
  if (r.exitCode !== 0) throw new Error(`ovirt-repo ${args.join(' ')} exited ${r.exitCode}\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** A build job's output: an application and its library, both of release `release`. */
export async function writeBuild(dir: string, project: string, release: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeRpm(
    {
      name: `${project}-lib`,
      version: '1.0',
      release,
      arch: 'x86_64',
      files: [{ path: `/usr/lib64/lib${project}.so.1`, contents: `${project} ${release}\n` }],
    },
    dir,
  );
  await writeRpm(
    {
      name: project,
      version: '1.0',
      release,
      arch: 'noarch',
      files: [{ path: `/usr/bin/${project}`, contents: `#!/bin/sh\necho ${project} ${release}\n`, mode: 0o755 }],
      dependencies: { requires: [{ name: `${project}-lib`, flags: 'EQ', version: `1.0-${release}` }] },
    },
    dir,
  );
}

/**
 * The system-test stand-in: a real dnf installs `packages` into a throwaway root using the repos of the
 * given yum config, and the installed set is returned sorted (name-version-release.arch).
 */
export async function dnfInstall(config: string, root: string, packages: string[]): Promise<string[]> {
  await mkdir(root, { recursive: true });
  await execa('dnf', [
    '-y',
    '-q',
    '-c',
    config,
    `--installroot=${root}`,
    '--releasever=9',
    '--setopt=reposdir=/dev/null',
    // dnf-plugins-core's local plugin offers every package ever installed on this machine.
    '--disableplugin=local',
    `--setopt=cachedir=${join(root, '.dnf-cache')}`,
    '--setopt=skip_if_unavailable=False',
    '--setopt=install_weak_deps=False',
    '--nogpgcheck',
    'install',
    ...packages,
  ]);
  const { stdout } = await execa('rpm', ['--root', root, '-qa', '--qf', '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\\n']);
  return stdout.split('\n').filter(Boolean).sort();
}
