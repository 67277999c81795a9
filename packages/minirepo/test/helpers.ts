import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeRpm, type RpmSpec } from '@ovirt-repo/rpm-writer';

/** packages/minirepo: oclif loads the plugin's package.json and manifest from here. */
export const pluginRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The full CLI binary, as CI jobs run it. */
export const ovirtRepoBin = join(pluginRoot, '..', 'ovirt-repo', 'bin', 'run.js');

export const specs: RpmSpec[] = [
  {
    name: 'alpha',
    version: '1.0',
    release: '1',
    arch: 'x86_64',
    epoch: 2,
    files: [{ path: '/usr/bin/alpha', contents: 'alpha\n', mode: 0o755 }],
    dependencies: { requires: [{ name: 'beta', flags: 'GE', version: '0.9' }] },
  },
  { name: 'beta', version: '0.9', release: '3', arch: 'noarch', files: [{ path: '/etc/beta.conf', type: 'config', contents: 'x=1\n' }] },
  { name: 'alpha', version: '1.0', release: '1', arch: 'x86_64', source: true },
];

/** A build's output: two binary packages (one in a subdirectory) and a source package. */
export async function makeArtifacts(dir: string): Promise<string[]> {
  await mkdir(join(dir, 'noarch'), { recursive: true });
  return [await writeRpm(specs[0], dir), await writeRpm(specs[1], join(dir, 'noarch')), await writeRpm(specs[2], dir)];
}
