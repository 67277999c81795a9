// Modules, updateinfo and comps of several sources (several --from, or a deploy onto the latest snapshot)
// are merged, not replaced (issue 15 item 11). mergerepo_c (modules) and dnf (what it offers and installs)
// are the oracles; the fixtures are module builds written here.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { silentLogger } from '@ovirt-repo/core';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { syncRepo } from '../src/index.js';
import { ensurePluginBuilt, repoRoot } from './helpers/built.js';
import { makeRepo, pkg } from './helpers/fixtures.js';
import { expectLatestVerifies, snapshotIds } from './helpers/store-checks.js';

const run = promisify(execFile);

/** One module build of httpd:2.4 whose only artifact is `nevra`. */
const modulemd = (version: number, nevra: string) => `---
document: modulemd
version: 2
data:
  name: httpd
  stream: "2.4"
  version: ${version}
  context: c0ffee42
  arch: x86_64
  summary: Web server
  description: >-
    A web server build for tests.
  license:
    module:
    - MIT
  profiles:
    default:
      rpms:
      - httpd
  artifacts:
    rpms:
    - ${nevra}
...
`;

const defaults = (stream: string, modified?: number, profile = 'default') => `---
document: modulemd-defaults
version: 1
data:
  module: httpd
${modified === undefined ? '' : `  modified: ${modified}\n`}  stream: "${stream}"
  profiles:
    "${stream}": [${profile}]
...
`;

const advisory = (id: string, title: string) => `  <update from="test@example.com" status="stable" type="bugfix" version="1">
    <id>${id}</id>
    <title>${title}</title>
    <issued date="2026-01-01 00:00:00"/>
    <description>${title}.</description>
    <pkglist><collection short="t"><name>t</name>
      <package name="httpd" version="2.4.10" release="1" epoch="0" arch="x86_64"><filename>httpd-2.4.10-1.x86_64.rpm</filename></package>
    </collection></pkglist>
  </update>
`;
const updateinfo = (...updates: string[]) => `<?xml version="1.0" encoding="UTF-8"?>\n<updates>\n${updates.join('')}</updates>\n`;

const comps = (id: string, name: string, member: string) => `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">
<comps>
  <group>
    <id>${id}</id>
    <name>${name}</name>
    <description>${name} for tests</description>
    <default>false</default>
    <uservisible>true</uservisible>
    <packagelist>
      <packagereq type="mandatory">${member}</packagereq>
    </packagelist>
  </group>
</comps>
`;

const httpd = (version: string, release: string) => pkg('httpd', version, release, 'x86_64');

describeWithTools(['createrepo_c', 'modifyrepo_c', 'mergerepo_c', 'dnf'], 'modules, updateinfo and comps of several sources are merged', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  /** Plain httpd 2.4.10 beside module build 1 of httpd:2.4; updateinfo ADV-1; group "web". */
  let src1: string;
  /** Module build 2 of httpd:2.4; updateinfo ADV-1 (the same) and ADV-2; group "tools". */
  let src2: string;
  /** An unrelated package, and defaults making httpd:2.4 the default stream. */
  let src3: string;

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    await writeFile(join(dir, 'dnf.conf'), '[main]\n');
    src1 = await makeRepo(join(dir, 'src1'), [httpd('2.4.10', '1'), httpd('2.4.25', '1.module1')], {
      modules: modulemd(1, 'httpd-0:2.4.25-1.module1.x86_64'),
      updateinfo: updateinfo(advisory('ADV-1', 'first fix')),
      comps: comps('web', 'Web', 'httpd'),
    });
    src2 = await makeRepo(join(dir, 'src2'), [httpd('2.4.25', '2.module2'), pkg('tool')], {
      modules: modulemd(2, 'httpd-0:2.4.25-2.module2.x86_64'),
      updateinfo: updateinfo(advisory('ADV-1', 'first fix'), advisory('ADV-2', 'second fix')),
      comps: comps('tools', 'Tools', 'tool'),
    });
    src3 = await makeRepo(join(dir, 'src3'), [pkg('other')], { modules: defaults('2.4') });
  }, 60_000);
  afterAll(() => cleanup());

  let dnfRuns = 0;
  const dnf = async (baseurl: string, ...args: string[]) => {
    const { stdout } = await run('dnf', [
      '-y',
      '--config', join(dir, 'dnf.conf'),
      '--setopt=reposdir=/dev/null',
      '--disableplugin=local',
      `--setopt=cachedir=${join(dir, `dnf-cache-${dnfRuns++}`)}`,
      '--setopt=install_weak_deps=False',
      '--releasever', '9',
      '--nogpgcheck',
      `--repofrompath=snap,${baseurl}`,
      '--repo', 'snap',
      ...args,
    ], { maxBuffer: 16 << 20 });
    return stdout;
  };
  /** What dnf says about the repo's modules: `module list` and `module info` of httpd (less where it read them from). */
  const moduleView = async (baseurl: string) =>
    [await dnf(baseurl, 'module', 'list'), await dnf(baseurl, 'module', 'info', 'httpd')]
      .join('\n')
      .split('\n')
      // dnf reports the age of its cached metadata on some runs and not on others: not part of the view.
      .filter((line) => !line.startsWith('Added snap repo') && !line.startsWith('Last metadata expiration check') && !/^snap .*\|/.test(line))
      .join('\n');
  /** The NEVRA dnf installs for `what` into an empty root. */
  const installed = async (baseurl: string, ...what: string[]) => {
    const root = join(dir, `root-${dnfRuns}`);
    await dnf(baseurl, '--installroot', root, ...what);
    const { stdout } = await run('rpm', ['--root', root, '-q', 'httpd', '--qf', '%{NAME}-%{VERSION}-%{RELEASE}\n']);
    return stdout.trim();
  };
  /** mergerepo_c's repo of the same sources. */
  const mergerepo = async (name: string, ...sources: string[]) => {
    const out = join(dir, name);
    await run('mergerepo_c', ['--all', ...sources.flatMap((s) => ['-r', s]), '-o', out]);
    return `file://${out}`;
  };
  const snapshotUrl = (store: string, repo: string, id: string) => `file://${join(store, 'yum', repo, id)}`;
  /** The decompressed text of a snapshot's metadata of `type`. */
  const metadataText = async (store: string, repo: string, id: string, type: string) => {
    const repodata = join(store, 'yum', repo, id, 'repodata');
    const repomd = await readFile(join(repodata, 'repomd.xml'), 'utf8');
    const href = new RegExp(`<data type="${type}">[\\s\\S]*?<location href="repodata/([^"]+)"`).exec(repomd)?.[1];
    if (!href) throw new Error(`no ${type} record in ${repodata}`);
    const bytes = await readFile(join(repodata, href));
    return (href.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  };
  const advisoryIds = (xml: string) => [...xml.matchAll(/<id>([^<]+)<\/id>/g)].map((m) => m[1]).sort();

  it('several --from sources: both module builds are kept as mergerepo_c keeps them, and dnf installs each build only through its module', async () => {
    const store = join(dir, 'store-from');
    const warnings: string[] = [];
    const r = await syncRepo({ store, repo: 'm', from: [src1, src2], logger: { ...silentLogger, warn: (m) => void warnings.push(m) } });
    await expectLatestVerifies(store, 'm');
    const ours = snapshotUrl(store, 'm', r.snapshot!);
    expect(await moduleView(ours)).toEqual(await moduleView(await mergerepo('merged-12', src1, src2)));
    // Outside the module, the plain build; through the module stream, its newest build.
    expect(await installed(ours, 'install', 'httpd')).toBe('httpd-2.4.10-1');
    expect(await installed(ours, 'module', 'install', 'httpd:2.4/default')).toBe('httpd-2.4.25-2.module2');
    // ADV-1 of both sources is the same advisory: once, and no warning.
    expect(advisoryIds(await metadataText(store, 'm', r.snapshot!, 'updateinfo'))).toEqual(['ADV-1', 'ADV-2']);
    expect(await dnf(ours, 'group', 'list', '--hidden')).toMatch(/Web[\s\S]*Tools|Tools[\s\S]*Web/);
    expect(warnings).toEqual([]);
  });

  it('additive deploys: the snapshot keeps every build deployed and takes the defaults, as mergerepo_c of the same builds', async () => {
    const store = join(dir, 'store-additive');
    for (const src of [src1, src2, src3]) await syncRepo({ store, repo: 'exp', from: [src], mode: 'additive' });
    const id = await expectLatestVerifies(store, 'exp');
    const ours = snapshotUrl(store, 'exp', id);
    expect(await moduleView(ours)).toEqual(await moduleView(await mergerepo('merged-123', src1, src2, src3)));
    // httpd:2.4 is now the default stream: a plain install takes its newest build.
    expect(await installed(ours, 'install', 'httpd')).toBe('httpd-2.4.25-2.module2');
    expect(advisoryIds(await metadataText(store, 'exp', id, 'updateinfo'))).toEqual(['ADV-1', 'ADV-2']);
    const groups = await dnf(ours, 'group', 'list', '--hidden');
    expect(groups).toContain('Web');
    expect(groups).toContain('Tools');
  });

  it('conflicting default streams leave the module without a default, as mergerepo_c does, with a warning', async () => {
    const other = await makeRepo(join(dir, 'src-2.6'), [pkg('unrelated')], { modules: defaults('2.6') });
    const store = join(dir, 'store-defaults');
    const warnings: string[] = [];
    const r = await syncRepo({ store, repo: 'd', from: [src1, src3, other], logger: { ...silentLogger, warn: (m) => void warnings.push(m) } });
    const ours = snapshotUrl(store, 'd', r.snapshot!);
    expect(await moduleView(ours)).toEqual(await moduleView(await mergerepo('merged-defaults', src1, src3, other)));
    expect(await dnf(ours, 'module', 'list')).toMatch(/^httpd +2\.4 +default \[d\]/m);
    expect(warnings).toEqual([expect.stringMatching(/httpd.*default stream.*2\.4.*2\.6/)]);
  });

  it('a newer defaults document (higher modified) wins over an older one', async () => {
    const older = await makeRepo(join(dir, 'src-old-defaults'), [pkg('o1')], { modules: defaults('2.4', 202001010000) });
    const newer = await makeRepo(join(dir, 'src-new-defaults'), [pkg('o2')], { modules: defaults('2.6', 202101010000) });
    const store = join(dir, 'store-modified');
    const r = await syncRepo({ store, repo: 'd', from: [newer, older] });
    const text = await metadataText(store, 'd', r.snapshot!, 'modules');
    expect(text).toContain('2.6');
    expect(text).not.toMatch(/stream: .?2\.4/);
  });

  it('refuses default profiles that conflict at the same modified time, naming both sources; nothing is published', async () => {
    const a = await makeRepo(join(dir, 'src-profile-a'), [pkg('pa')], { modules: defaults('2.4', 5, 'default') });
    const b = await makeRepo(join(dir, 'src-profile-b'), [pkg('pb')], { modules: defaults('2.4', 5, 'minimal') });
    const store = join(dir, 'store-profiles');
    await expect(syncRepo({ store, repo: 'p', from: [a, b] })).rejects.toMatchObject({
      code: 'E_REPODATA_INVALID',
      message: expect.stringMatching(new RegExp(`httpd.*2\\.4.*${a}.*${b}`)),
      hint: expect.stringContaining('modified'),
    });
    expect(await snapshotIds(store, 'p')).toEqual([]);
  });

  it('an advisory id two sources describe differently is a warning, in --json too; the later source\'s is kept', async () => {
    const changed = await makeRepo(join(dir, 'src-adv'), [pkg('adv')], { updateinfo: updateinfo(advisory('ADV-1', 'first fix, revised')) });
    const store = join(dir, 'store-adv');
    const warnings: string[] = [];
    const r = await syncRepo({ store, repo: 'a', from: [src1, changed], logger: { ...silentLogger, warn: (m) => void warnings.push(m) } });
    const xml = await metadataText(store, 'a', r.snapshot!, 'updateinfo');
    expect(advisoryIds(xml)).toEqual(['ADV-1']);
    expect(xml).toContain('first fix, revised');
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`updateinfo.*ADV-1.*${src1}.*${changed}`))]);

    ensurePluginBuilt();
    const bin = join(repoRoot, 'packages', 'cli', 'bin', 'run.js');
    if (!existsSync(join(repoRoot, 'packages', 'cli', 'dist', 'bundle', 'index.js'))) throw new Error('packages/cli is not built: run `npx nx run-many -t build`');
    const { stdout } = await run(process.execPath, [bin, 'mirror', 'sync', 'a', '--from', src1, '--from', changed, '--store', join(dir, 'store-adv-json'), '--json']);
    expect(JSON.parse(stdout).warnings).toEqual(warnings);
  });

  it('deploys of builds without modules merge updateinfo and comps; the same build again changes nothing', async () => {
    const a = await makeRepo(join(dir, 'inc-a'), [pkg('alpha')], { updateinfo: updateinfo(advisory('INC-A', 'a')), comps: comps('ga', 'Group A', 'alpha') });
    const b = { updateinfo: updateinfo(advisory('INC-B', 'b')), comps: comps('gb', 'Group B', 'beta') };
    await makeRepo(join(dir, 'inc-b'), [pkg('beta')], b);
    const store = join(dir, 'store-inc');
    await syncRepo({ store, repo: 'inc', from: [a], mode: 'additive' });
    const r2 = await syncRepo({ store, repo: 'inc', from: [join(dir, 'inc-b')], mode: 'additive' });
    expect(advisoryIds(await metadataText(store, 'inc', r2.snapshot!, 'updateinfo'))).toEqual(['INC-A', 'INC-B']);
    const groups = await dnf(snapshotUrl(store, 'inc', r2.snapshot!), 'group', 'list', '--hidden');
    expect(groups).toContain('Group A');
    expect(groups).toContain('Group B');
    // The same build, its metadata generated again (another revision): merging gives the same files.
    await makeRepo(join(dir, 'inc-b'), [pkg('beta')], { ...b, args: ['--revision', '2'] });
    const r3 = await syncRepo({ store, repo: 'inc', from: [join(dir, 'inc-b')], mode: 'additive' });
    expect(r3).toMatchObject({ changed: false, snapshot: r2.snapshot, reason: 'same packages and metadata as the latest snapshot' });
  });

  it('keeps a source\'s own file when the others have the same one (nothing to merge)', async () => {
    const store = join(dir, 'store-same');
    const r = await syncRepo({ store, repo: 's', from: [src1, src1] });
    const names = await readdir(join(store, 'yum', 's', r.snapshot!, 'repodata'));
    const source = await readdir(join(src1, 'repodata'));
    for (const suffix of ['-modules.yaml.gz', '-updateinfo.xml.gz']) expect(names.find((n) => n.endsWith(suffix))).toBe(source.find((n) => n.endsWith(suffix)));
  });
});
