import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeRpm, type RpmSpec } from '@ovirt-repo/rpm-writer';

const run = promisify(execFile);

/** A small package spec; files make filelists/other non-trivial. */
export function pkg(name: string, version = '1.0', release = '1', arch = 'noarch', extra: Partial<RpmSpec> = {}): RpmSpec {
  return {
    name,
    version,
    release,
    arch,
    summary: `${name} test package`,
    files: [
      { path: `/usr/share/${name}`, type: 'dir' },
      { path: `/usr/share/${name}/README`, contents: `${name} ${version}-${release} ${extra.summary ?? ''}\n` },
      { path: `/usr/bin/${name}-tool`, mode: 0o755, contents: `#!/bin/sh\necho ${name}\n` },
    ],
    changelogs: [{ time: 1_700_000_000, author: 'Tester <t@example.com> - 1.0-1', text: `- ${name} built` }],
    ...extra,
  };
}

export interface RepoExtras {
  /** comps.xml content: passed to createrepo_c -g. */
  comps?: string;
  /** modules.yaml content: added with modifyrepo_c --mdtype=modules. */
  modules?: string;
  /** updateinfo.xml content: added with modifyrepo_c. */
  updateinfo?: string;
  /** Subdirectory for the RPMs (default Packages). */
  subdir?: string;
  /** createrepo_c extra arguments. */
  args?: string[];
}

/** Write the RPMs and run the real createrepo_c over them: a repo as upstreams and builds publish it. */
export async function makeRepo(dir: string, specs: RpmSpec[], extras: RepoExtras = {}): Promise<string> {
  const pkgDir = join(dir, extras.subdir ?? 'Packages');
  await mkdir(pkgDir, { recursive: true });
  for (const s of specs) await writeRpm(s, pkgDir);
  const args = [...(extras.args ?? []), '--quiet'];
  if (extras.comps) {
    await writeFile(join(dir, 'comps.xml'), extras.comps);
    args.push('-g', join(dir, 'comps.xml'));
  }
  await run('createrepo_c', [...args, dir]);
  if (extras.modules) {
    await writeFile(join(dir, 'modules.yaml'), extras.modules);
    await run('modifyrepo_c', ['--mdtype=modules', join(dir, 'modules.yaml'), join(dir, 'repodata')]);
  }
  if (extras.updateinfo) {
    await writeFile(join(dir, 'updateinfo.xml'), extras.updateinfo);
    await run('modifyrepo_c', ['--mdtype=updateinfo', join(dir, 'updateinfo.xml'), join(dir, 'repodata')]);
  }
  return dir;
}

export const COMPS = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">
<comps>
  <group>
    <id>test-group</id>
    <name>Test group</name>
    <description>Packages for tests</description>
    <default>true</default>
    <uservisible>true</uservisible>
    <packagelist>
      <packagereq type="mandatory">alpha</packagereq>
    </packagelist>
  </group>
</comps>
`;

export const UPDATEINFO = `<?xml version="1.0" encoding="UTF-8"?>
<updates>
  <update from="test@example.com" status="stable" type="bugfix" version="1">
    <id>TEST-2026-0001</id>
    <title>alpha bug fix</title>
    <issued date="2026-01-01 00:00:00"/>
    <description>Fixes alpha.</description>
    <pkglist><collection short="test"><name>test</name>
      <package name="alpha" version="1.0" release="1" epoch="0" arch="noarch" src="alpha-1.0-1.src.rpm"><filename>alpha-1.0-1.noarch.rpm</filename></package>
    </collection></pkglist>
  </update>
</updates>
`;

/**
 * Rewrite a repo's primary.xml.gz through `edit` (on the XML text) and fix repomd.xml's checksums and
 * sizes so that only the edit itself is wrong: for tests of hostile or malformed metadata.
 */
export async function editPrimary(repoDir: string, edit: (xml: string) => string): Promise<void> {
  const { readFile, writeFile: write, readdir, rm } = await import('node:fs/promises');
  const { gunzipSync, gzipSync } = await import('node:zlib');
  const { createHash } = await import('node:crypto');
  const repodata = join(repoDir, 'repodata');
  const names = await readdir(repodata);
  const name = names.find((n) => /-primary\.xml\.gz$/.test(n))!;
  const xml = edit(gunzipSync(await readFile(join(repodata, name))).toString('utf8'));
  const gz = gzipSync(Buffer.from(xml));
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const newName = `${sha(gz)}-primary.xml.gz`;
  await rm(join(repodata, name));
  await write(join(repodata, newName), gz);
  let repomd = await readFile(join(repodata, 'repomd.xml'), 'utf8');
  repomd = repomd.replace(/<data type="primary">[\s\S]*?<\/data>/, (block) =>
    block
      .replace(/<checksum type="sha256">[0-9a-f]+<\/checksum>/, `<checksum type="sha256">${sha(gz)}</checksum>`)
      .replace(/<open-checksum type="sha256">[0-9a-f]+<\/open-checksum>/, `<open-checksum type="sha256">${sha(Buffer.from(xml))}</open-checksum>`)
      .replace(/<location href="[^"]*"\/>/, `<location href="repodata/${newName}"/>`)
      .replace(/<size>\d+<\/size>/, `<size>${gz.length}</size>`)
      .replace(/<open-size>\d+<\/open-size>/, `<open-size>${Buffer.byteLength(xml)}</open-size>`),
  );
  // sqlite copies would still describe the old primary; drop them so dnf-like readers agree.
  repomd = repomd.replace(/<data type="primary_db">[\s\S]*?<\/data>\s*/, '');
  await write(join(repodata, 'repomd.xml'), repomd);
}
