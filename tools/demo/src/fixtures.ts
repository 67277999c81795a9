import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeRpm, type RpmSpec } from '@ovirt-repo/rpm-writer';

/** The packages one fixture "build job" produces: a library, a tool that needs it, and the source package. */
function buildSpecs(project: string, release: string): RpmSpec[] {
  const common = { version: '4.5.0', release, vendor: 'oVirt demo', url: `https://example.org/${project}` };
  return [
    {
      ...common,
      name: `${project}-lib`,
      arch: 'x86_64',
      summary: `${project} shared library`,
      files: [{ path: `/usr/lib64/lib${project}.so.4`, contents: `${project} library\n` }],
      dependencies: { provides: [{ name: `lib${project}.so.4()(64bit)` }] },
    },
    {
      ...common,
      name: project,
      arch: 'noarch',
      summary: `${project} command-line tool`,
      files: [
        { path: `/usr/bin/${project}`, contents: `#!/bin/sh\necho ${project}\n`, mode: 0o755 },
        { path: `/etc/${project}/${project}.conf`, type: 'config', contents: 'debug = false\n' },
      ],
      dependencies: { requires: [{ name: `${project}-lib`, flags: 'EQ', version: `4.5.0-${release}` }] },
      changelogs: [{ time: 1_700_000_000, author: 'Demo Builder <ci@example.org> - 4.5.0-1', text: '- Demo build' }],
    },
    { ...common, name: project, arch: 'x86_64', source: true, files: [{ path: `${project}.spec`, contents: `Name: ${project}\n` }] },
  ];
}

/** Write a fixture build's RPMs into `<work>/<project>/exported-artifacts`, as a build job leaves them. */
export async function makeBuild(work: string, project: string, release = '1.demo'): Promise<string> {
  const dir = join(work, project, 'exported-artifacts');
  await mkdir(dir, { recursive: true });
  for (const spec of buildSpecs(project, release)) await writeRpm(spec, dir);
  return dir;
}
