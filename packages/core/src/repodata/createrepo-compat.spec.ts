import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { buildPackages, EXPECTED_NVRS, run } from './createrepo-compat.spec.helper.js';
import { decompressBuffer, compressionFromName } from '../compress/index.js';
import type { PackageRecord } from './model.js';
import { classifyRecord, parseRepomd, readPrimary, readRepo, readRepomd, repomdXml, writeRepodata, type Repomd, type RepomdRecord } from './index.js';

/*
 * Compatibility with the real tools: packages built by rpmbuild, indexed by createrepo_c, read by our
 * reader, written again by our writer, and finally read by dnf.
 */

let work: string;
let cleanup: () => Promise<void>;
/** Built RPMs, relative to `work/pkgs`, with awkward names and directories on purpose. */
let pkgsDir: string;

/** A copy of the packages with createrepo_c metadata made with `args`. */
function createrepo(name: string, args: string[]): string {
  const dir = join(work, name);
  cpSync(pkgsDir, dir, { recursive: true });
  run('createrepo_c', ['--quiet', ...args, dir]);
  return dir;
}

function dataFile(repoDir: string, repomd: Repomd, type: string): RepomdRecord {
  const r = repomd.records.find((x) => x.type === type);
  if (!r) throw new Error(`no ${type} record in ${repoDir}`);
  return r;
}

async function openContent(repoDir: string, r: RepomdRecord): Promise<string> {
  const bytes = readFileSync(join(repoDir, r.location.href));
  return (await decompressBuffer(compressionFromName(r.location.href), bytes)).toString('utf8');
}

async function collect(repoDir: string): Promise<PackageRecord[]> {
  const repo = await readRepo(repoDir);
  const out: PackageRecord[] = [];
  for await (const p of repo.packages()) out.push(p);
  return out;
}

describeWithTools(['rpmbuild', 'createrepo_c', 'modifyrepo_c', 'dnf', 'zstd'], 'repodata against createrepo_c 0.17', () => {
  beforeAll(async () => {
    ({ dir: work, cleanup } = await makeTempDir('ovirt-repo-compat-'));
    pkgsDir = buildPackages(work);
  });
  afterAll(() => cleanup());

  it('reads what createrepo_c writes, decoding escapes and keeping every detail', async () => {
    const repo = createrepo('read-gz', ['--no-database']);
    const packages = await collect(repo);
    // createrepo_c orders by file name (strcmp): "ovr tools..." sorts before "ovr-..." (space < dash).
    expect(packages.map((p) => `${p.name}.${p.arch}`)).toEqual([
      'ovr-main-tools.noarch',
      'ovr-empty.noarch',
      'ovr-empty.src',
      'ovr-main.noarch',
      'ovr-main.src',
      'ovr-plain.noarch',
      'ovr-plain.src',
    ]);
    const main = packages.find((p) => p.name === 'ovr-main' && p.arch === 'noarch')!;
    expect(main).toMatchObject({
      epoch: '2',
      version: '1.0',
      release: '1',
      summary: `Summary with <xml> & "quotes" 'apos' and ünïcödé`,
      url: 'http://example.com/?a=1&b=2',
      location: { href: expect.stringMatching(/^Packages\/o\/ovr-main-1\.0-1\.noarch\.rpm$/) },
      format: { license: 'GPLv2+ & "MIT"', sourcerpm: 'ovr-main-1.0-1.src.rpm', vendor: '' },
    });
    expect(main.checksum.type).toBe('sha256');
    expect(main.checksum.value).toBe(run('sha256sum', [join(repo, main.location.href)]).slice(0, 64));
    expect(main.format.requires).toEqual(
      expect.arrayContaining([
        { name: 'bash', flags: 'GE', epoch: '0', version: '4.0', pre: true },
        { name: 'coreutils', pre: true },
        { name: 'foo', flags: 'LT', epoch: '2', version: '3.0', release: '1' },
        { name: 'findutils' },
      ]),
    );
    // createrepo_c drops a file require the package itself satisfies with a primary file.
    expect(main.format.requires.map((d) => d.name)).not.toContain('/usr/bin/ovr-main');
    expect(main.format.provides).toContainEqual({ name: 'virt(x)', flags: 'EQ', epoch: '0', version: '1.0' });
    expect(main.format.supplements).toEqual([{ name: '(sup-pkg and other)' }]);
    expect(main.files).toEqual(
      expect.arrayContaining([
        { path: '/etc/ovr', type: 'dir' },
        { path: '/usr/share/ovr/file with space & <amp>', type: 'file' },
        { path: '/usr/share/ovr/ghostfile', type: 'ghost' },
        { path: '/usr/share/ovr/ünï', type: 'file' },
      ]),
    );
    expect(main.changelogs.map((c) => c.author)).toEqual([
      'First <f@example.com>',
      'Other Person <o@example.com> - 0.9-1',
      'Other\tPerson <o@example.com> - 1.0-0',
      'Jöhn Dœ <john@example.com> - 2:1.0-1',
    ]);
    expect(main.changelogs[2]!.date).toBe(main.changelogs[1]!.date + 1);
    const tools = packages.find((p) => p.name === 'ovr-main-tools')!;
    expect(tools.location.href).toBe('odd dir/ovr tools ü&1.rpm');
    expect(tools.summary).toBe('tools with a\rcarriage return');
    expect(packages.find((p) => p.name === 'ovr-plain' && p.arch === 'noarch')!.files).toHaveLength(124);
    expect(packages.find((p) => p.name === 'ovr-empty' && p.arch === 'noarch')!.files).toEqual([]);
  });

  it.each([
    ['gz', ['--no-database']],
    ['xz', ['--no-database', '--general-compress-type', 'xz']],
    ['bz2', ['--no-database', '--general-compress-type', 'bz2']],
    ['sqlite and a base URL', ['--baseurl', '/srv/mirror', '--checksum', 'sha512']],
  ])('round-trips createrepo_c output (%s) to identical XML', async (label, args) => {
    const revision = '1700000000';
    const repo = createrepo(`rt-${label.replace(/\W/g, '')}`, [...args, '--revision', revision, '--set-timestamp-to-revision']);
    const original = await readRepomd(join(repo, 'repodata', 'repomd.xml'));
    const reader = await readRepo(repo);
    const out = join(work, `rt-out-${label.replace(/\W/g, '')}`);
    const summary = await writeRepodata({
      repoDir: repo,
      outDir: join(out, 'repodata'),
      packages: reader.packages(),
      checksumType: original.records[0]!.checksum.type,
      revision,
      timestamp: Number(revision),
    });
    const written = await readRepomd(summary.repomdPath);
    for (const type of ['primary', 'filelists', 'other']) {
      const ours = dataFile(out, written, type);
      const theirs = dataFile(repo, original, type);
      expect(await openContent(out, ours)).toBe(await openContent(repo, theirs));
      expect(ours.openChecksum).toEqual(theirs.openChecksum);
      expect(ours.openSize).toBe(theirs.openSize);
      expect(ours.timestamp).toBe(theirs.timestamp);
    }
  });

  it('dumps repomd.xml byte for byte as createrepo_c and modifyrepo_c do', async () => {
    const repo = createrepo('repomd-bytes', ['--distro', 'cpe:/o:ovirt:ovirt:4,oVirt 4', '--content', 'binary', '--repo', 'ci']);
    addExtras(repo);
    const raw = readFileSync(join(repo, 'repodata', 'repomd.xml'), 'utf8');
    const parsed = parseRepomd(raw);
    expect(parsed.records.map((r) => r.type)).toEqual([
      'primary',
      'filelists',
      'other',
      'primary_db',
      'filelists_db',
      'other_db',
      'group',
      'group_gz',
      'updateinfo',
    ]);
    expect(parsed.records.find((r) => r.type === 'primary_db')!.databaseVersion).toBe(10);
    expect(parsed.tags).toEqual({ content: ['binary'], repo: ['ci'], distro: [{ cpeid: 'cpe:/o:ovirt:ovirt:4', value: 'oVirt 4' }] });
    expect(repomdXml(parsed)).toBe(raw);
    // Shuffled records come out in createrepo_c's order again.
    expect(repomdXml({ ...parsed, records: [...parsed.records].reverse() })).toBe(raw);
  });

  it('reports sqlite and modifyrepo_c records as extra records and carries them over', async () => {
    const repo = createrepo('extras', []);
    addExtras(repo);
    const reader = await readRepo(repo);
    expect(reader.extraRecords.map((r) => `${r.type}:${classifyRecord(r.type)}`)).toEqual([
      'primary_db:package-derived',
      'filelists_db:package-derived',
      'other_db:package-derived',
      'group:opaque',
      'group_gz:opaque',
      'updateinfo:opaque',
    ]);
    const out = join(work, 'extras-out');
    cpSync(pkgsDir, out, { recursive: true });
    const opaque = reader.extraRecords.filter((r) => classifyRecord(r.type) === 'opaque');
    const summary = await writeRepodata({ repoDir: repo, outDir: join(out, 'repodata'), packages: reader.packages(), extraRecords: opaque });
    expect(summary.records.map((r) => r.type)).toEqual(['primary', 'filelists', 'other', 'group', 'group_gz', 'updateinfo']);
    for (const r of opaque) {
      expect(readFileSync(join(out, r.location.href)).equals(readFileSync(join(repo, r.location.href)))).toBe(true);
    }
    expect(summary.records.find((r) => r.type === 'updateinfo')).toEqual(opaque.find((r) => r.type === 'updateinfo'));
    expect(dnf(out, ['group', 'list', '--hidden'])).toContain('Ovirt Test Group');
    expect(dnf(out, ['repoquery', '--qf', '%{name}', '--advisory', 'OVIRT-2024-1']).trim()).toBe('ovr-plain');
  });

  it('reads zstd metadata made by libzstd (createrepo_c itself when it supports zstd)', async () => {
    let repo: string;
    try {
      repo = createrepo('read-zstd', ['--no-database', '--general-compress-type', 'zstd']);
    } catch (err) {
      // createrepo_c 0.17 lacks zstd ("Unknown/Unsupported compression type"); recompress its output with
      // the zstd tool instead, which exercises the same libzstd framing createrepo_c 1.x writes.
      expect(String((err as { stderr?: string }).stderr)).toMatch(/Unsupported compression type "zstd"/);
      repo = createrepo('read-zstd', ['--no-database']);
      const repomd = await readRepomd(join(repo, 'repodata', 'repomd.xml'));
      const href = dataFile(repo, repomd, 'primary').location.href;
      const zstPath = join(repo, 'repodata', 'recompressed-primary.xml.zst');
      execFileSync('sh', ['-c', 'gzip -dc "$1" | zstd -q -10 -o "$2"', 'sh', join(repo, href), zstPath]);
      const names: string[] = [];
      for await (const p of readPrimary(zstPath)) names.push(p.name);
      expect(names).toHaveLength(7);
      return;
    }
    expect((await collect(repo)).length).toBe(7);
  });

  describe('dnf reads what writeRepodata writes', () => {
    it.each(['gz', 'xz', 'zstd'] as const)('lists, reads files and changelogs of %s metadata', async (compression) => {
      const source = createrepo(`dnf-src-${compression}`, ['--no-database']);
      const reader = await readRepo(source);
      const out = join(work, `dnf-${compression}`);
      cpSync(pkgsDir, out, { recursive: true });
      const summary = await writeRepodata({ repoDir: out, outDir: join(out, 'repodata'), packages: reader.packages(), compression });
      expect(summary.records[0]!.location.href).toMatch(new RegExp(`^repodata/[0-9a-f]{64}-primary\\.xml${compression === 'gz' ? '\\.gz' : compression === 'xz' ? '\\.xz' : '\\.zst'}$`));
      const listed = dnf(out, ['repoquery', '--qf', '%{name}|%{version}', '--arch', 'noarch', '*']);
      expect(listed.trim().split('\n').sort()).toEqual(EXPECTED_NVRS);
      expect(dnf(out, ['repoquery', '--qf', '%{location}', 'ovr-main-tools'])).toContain('odd dir/ovr tools ü&1.rpm');
      const files = dnf(out, ['repoquery', '-l', 'ovr-plain']).trim().split('\n');
      expect(files).toContain('/usr/share/ovr-plain/dir3/file40');
      expect(dnf(out, ['repoquery', '--changelogs', 'ovr-main.noarch'])).toContain('Newest entry with <b>bold</b> & stuff');
      expect(dnf(out, ['repoquery', '--qf', '%{name}', '--whatprovides', '/usr/libexec/ovr/helper']).trim()).toBe('ovr-main-tools');
      // The escaped href leads dnf to the right file.
      const dest = join(work, `dl-${compression}`);
      dnf(out, ['download', '--destdir', dest, 'ovr-main-tools']);
      expect(readdirSync(dest)).toEqual(['ovr tools ü&1.rpm']);
    });

    it('is a real check: dnf refuses metadata whose checksum does not match', async () => {
      const source = createrepo('dnf-neg-src', ['--no-database']);
      const out = join(work, 'dnf-neg');
      cpSync(pkgsDir, out, { recursive: true });
      const summary = await writeRepodata({ repoDir: out, outDir: join(out, 'repodata'), packages: (await readRepo(source)).packages() });
      const primary = summary.records[0]!.checksum.value;
      writeFileSync(summary.repomdPath, readFileSync(summary.repomdPath, 'utf8').replace(`>${primary}<`, `>${'0'.repeat(64)}<`));
      expect(() => dnf(out, ['repoquery', '*'])).toThrow(/Failed to download metadata for repo 't'/);
    });
  });
});

function addExtras(repo: string): void {
  const updateinfo = join(work, 'updateinfo.xml');
  writeFileSync(
    updateinfo,
    '<?xml version="1.0" encoding="UTF-8"?>\n<updates><update from="ci@ovirt.org" status="stable" type="bugfix" version="1">' +
      '<id>OVIRT-2024-1</id><title>fix</title><issued date="2024-01-01 00:00:00"/><pkglist><collection short="c"><name>c</name>' +
      '<package name="ovr-plain" version="0.1" release="3" epoch="0" arch="noarch"><filename>ovr-plain-0.1-3.noarch.rpm</filename></package>' +
      '</collection></pkglist></update></updates>\n',
  );
  const comps = join(work, 'comps.xml');
  writeFileSync(
    comps,
    '<?xml version="1.0" encoding="UTF-8"?>\n<comps><group><id>ovirt-test</id><name>Ovirt Test Group</name><description>d</description>' +
      '<default>false</default><uservisible>true</uservisible><packagelist><packagereq>ovr-plain</packagereq></packagelist></group></comps>\n',
  );
  run('modifyrepo_c', [updateinfo, join(repo, 'repodata')]);
  run('modifyrepo_c', ['--mdtype', 'group', '--no-compress', comps, join(repo, 'repodata')]);
  run('modifyrepo_c', ['--mdtype', 'group_gz', comps, join(repo, 'repodata')]);
}

/**
 * dnf against only this repository, with a private install root and cache. dnf 4.14 marks --repofrompath
 * repositories skip_if_unavailable, so metadata it rejects would only print "Ignoring repositories: t" and
 * exit 0 with an empty answer; turning that off makes a rejection fail the command.
 */
function dnf(repoDir: string, args: string[]): string {
  const root = join(work, `dnfroot-${Math.random().toString(36).slice(2)}`);
  return run('dnf', [
    '--setopt=reposdir=/dev/null',
    // dnf-plugins-core's local plugin offers every package ever installed on this machine.
    '--disableplugin=local',
    `--repofrompath=t,file://${repoDir}`,
    '--repo=t',
    '--setopt=skip_if_unavailable=False',
    `--installroot=${root}`,
    `--setopt=cachedir=${root}/cache`,
    '--releasever=1',
    '-q',
    ...args,
  ]);
}
