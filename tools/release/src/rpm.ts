import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { RpmFile, RpmSpec } from '@ovirt-repo/rpm-writer';

/** Where the package puts things (the Filesystem Hierarchy Standard's places for an application). */
export const RPM_LAYOUT = {
  lib: '/usr/lib/ovirt-repo',
  bin: '/usr/bin/ovirt-repo',
  doc: '/usr/share/doc/ovirt-repo',
  data: '/usr/share/ovirt-repo',
} as const;

export interface RpmInputs {
  version: string;
  /** The staged full distribution (package.json, bin/, node_modules/): installed as RPM_LAYOUT.lib. */
  stage: string;
  /** README.md, installed at the top of the doc directory. */
  readme: string;
  /** The user guide (docs/), installed as docs/ beside README.md so the README's links work. */
  docs: string;
  /** The configuration file's JSON Schema. */
  schema: string;
  /** Every file's mtime and the build time, so the same sources give the same bytes. */
  time: number;
}

const ENV_SHEBANG = /^#!\s*\/usr\/bin\/env\s+([A-Za-z0-9._-]+)[ \t]*(?=\r?\n)/;

/**
 * A file as a distribution packages it (what Fedora's brp-mangle-shebangs does, and what rpmlint checks):
 * `#!/usr/bin/env node` becomes `#!/usr/bin/node`, so the script runs the packaged interpreter whatever
 * PATH says; a file is executable exactly when it starts with `#!` (npm packages carry executable
 * sources and non-executable scripts, which only npm's bin links ever ran).
 */
export function packagedFile(contents: Buffer): { contents: Buffer; mode: number } {
  if (contents[0] !== 0x23 || contents[1] !== 0x21) return { contents, mode: 0o644 };
  const head = contents.subarray(0, 256).toString('latin1');
  const m = ENV_SHEBANG.exec(head);
  if (m === null) return { contents, mode: 0o755 };
  return { contents: Buffer.concat([Buffer.from(`#!/usr/bin/${m[1]}`), contents.subarray(m[0].length)]), mode: 0o755 };
}

/**
 * Files below `dir` as RPM entries of `type` under `prefix`, directories included (a package owns the
 * directories it creates, so `rpm -e` removes them).
 */
function tree(dir: string, prefix: string, time: number, type: 'file' | 'doc'): RpmFile[] {
  const files: RpmFile[] = [{ path: prefix, type: 'dir', mode: 0o755, mtime: time }];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const abs = join(e.parentPath, e.name);
    const path = `${prefix}/${relative(dir, abs)}`;
    if (e.isDirectory()) files.push({ path, type: 'dir', mode: 0o755, mtime: time });
    else if (e.isFile()) files.push({ path, type, ...packagedFile(readFileSync(abs)), mtime: time });
    else throw new Error(`release: ${abs} is neither a file nor a directory; the RPM cannot hold it`);
  }
  return files;
}

/** The ovirt-repo RPM: noarch, needs Node.js 20 or newer, runs the full distribution with the system's node. */
export function ovirtRepoRpmSpec(input: RpmInputs): RpmSpec {
  const { time } = input;
  const launcher = [
    '#!/bin/sh',
    '# ovirt-repo runs on the system Node.js (the nodejs package, >= 20).',
    `exec /usr/bin/node ${RPM_LAYOUT.lib}/bin/run.js "$@"`,
    '',
  ].join('\n');
  const files: RpmFile[] = [
    ...tree(input.stage, RPM_LAYOUT.lib, time, 'file'),
    { path: RPM_LAYOUT.bin, contents: launcher, mode: 0o755, mtime: time },
    { path: RPM_LAYOUT.doc, type: 'dir', mode: 0o755, mtime: time },
    { path: `${RPM_LAYOUT.doc}/README.md`, type: 'doc', contents: readFileSync(input.readme), mode: 0o644, mtime: time },
    ...tree(input.docs, `${RPM_LAYOUT.doc}/docs`, time, 'doc'),
    { path: RPM_LAYOUT.data, type: 'dir', mode: 0o755, mtime: time },
    { path: `${RPM_LAYOUT.data}/${basename(input.schema)}`, contents: readFileSync(input.schema), mode: 0o644, mtime: time },
  ];
  return {
    name: 'ovirt-repo',
    version: input.version,
    release: '1',
    arch: 'noarch',
    summary: 'Transactional YUM/DNF repositories for CI',
    description: [
      'ovirt-repo runs CI package repositories as transactions: build RPMs into',
      'mini repos, mirror YUM repos into immutable snapshots, point system tests',
      'at snapshots with a lock file, and publish exactly what was tested.',
    ].join('\n'),
    license: 'Apache-2.0',
    group: 'Development/Tools',
    packager: 'ovirt-repo release (npm run release)',
    buildtime: time,
    changelogs: [{ time, author: `ovirt-repo release - ${input.version}-1`, text: `- ovirt-repo ${input.version}, built by npm run release` }],
    dependencies: { requires: [{ name: 'nodejs', flags: 'GE', version: '20' }, { name: '/bin/sh' }] },
    files,
    // npm trees hold many identical files (licences, npm's own copies of packages): stored once.
    hardlinkDuplicatesIn: RPM_LAYOUT.lib,
  };
}
