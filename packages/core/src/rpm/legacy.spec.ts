import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import type { PackageRecord } from '../repodata/model.js';
import { createrepoRecords, createrepoUsesLegacyPre } from './createrepo-oracle.spec.helper.js';
import { readRpmPackage, RpmSense, RpmSigTag, RpmTag } from './index.js';
import { basicMain, buildRpm, i18n, int16, int32, int64, str, strs, type SyntheticEntry, type SyntheticRpm } from './synthetic-rpm.spec.helper.js';

const { EQUAL: EQ, GREATER, LESS, SCRIPT_PRE, PREREQ, MISSINGOK, STRONG } = RpmSense;
const GE = GREATER | EQ;
const RPMLIB = 1 << 24;
const REG = 0o100644;
const DIR = 0o040755;
const GHOST = 64;

function deps(nameTag: number, flagsTag: number, versionTag: number, list: [string, number, string][]): SyntheticEntry[] {
  return [strs(nameTag, list.map((d) => d[0])), int32(flagsTag, ...list.map((d) => d[1])), strs(versionTag, list.map((d) => d[2]))];
}

function fileTags(dirs: string[], files: [number, string | Buffer, number, number][]): SyntheticEntry[] {
  return [
    strs(RpmTag.DIRNAMES, dirs),
    int32(RpmTag.DIRINDEXES, ...files.map((f) => f[0])),
    strs(RpmTag.BASENAMES, files.map((f) => f[1])),
    int16(RpmTag.FILEMODES, ...files.map((f) => f[2])),
    int32(RpmTag.FILEFLAGS, ...files.map((f) => f[3])),
  ];
}

const T = 1700000000;

/** Headers rpmbuild no longer writes, each probing one createrepo_c / rpm rule. */
const PACKAGES: Record<string, SyntheticRpm> = {
  // rpm 3: no immutable region, full file names, no SOURCERPM -> "(none)" and a retrofitted self-provide.
  'v3bin.rpm': {
    immutableRegion: false,
    main: basicMain(
      [
        str(RpmTag.NAME, 'oldpkg'),
        str(RpmTag.VERSION, '1.2'),
        str(RpmTag.RELEASE, '3'),
        int32(RpmTag.EPOCH, 0),
        int32(RpmTag.ARCHIVESIZE, 5555),
        strs(RpmTag.OLDFILENAMES, ['/etc/old.conf', '/usr/bin/old', '/usr/share/old', '/usr/share/old/README', '/var/log/old.log']),
        int16(RpmTag.FILEMODES, REG, 0o100755, DIR, REG, REG),
        int32(RpmTag.FILEFLAGS, 1, 0, 0, 2, GHOST),
        ...deps(RpmTag.PROVIDENAME, RpmTag.PROVIDEFLAGS, RpmTag.PROVIDEVERSION, [['oldcap', 0, '']]),
        ...deps(RpmTag.REQUIRENAME, RpmTag.REQUIREFLAGS, RpmTag.REQUIREVERSION, [
          ['/usr/bin/old', 0, ''],
          ['/usr/share/old/README', 0, ''],
          ['rpmlib(VersionedDependencies)', RPMLIB | LESS | EQ, '3.0.3-1'],
          ['libc.so.6', 0, ''],
          ['libc.so.6(GLIBC_2.0)', 0, ''],
        ]),
      ],
      [RpmTag.SOURCERPM],
    ),
  },
  // rpm 3 source package: bare file names, neither SOURCERPM nor SOURCEPACKAGE.
  'v3src.rpm': {
    immutableRegion: false,
    leadType: 1,
    main: basicMain(
      [
        str(RpmTag.NAME, 'oldsrc'),
        str(RpmTag.ARCH, 'i386'),
        strs(RpmTag.OLDFILENAMES, ['old.spec', 'old-1.0.tar.gz']),
        int16(RpmTag.FILEMODES, REG, REG),
        int32(RpmTag.FILEFLAGS, 0, 0),
      ],
      [RpmTag.SOURCERPM],
    ),
  },
  'deps.rpm': {
    main: basicMain([
      str(RpmTag.NAME, 'weird'),
      ...fileTags(['/usr/lib/synth/', '/usr/sbin/'], [[0, 'data', REG, 0], [1, 'synthd', 0o100755, 0]]),
      ...deps(RpmTag.PROVIDENAME, RpmTag.PROVIDEFLAGS, RpmTag.PROVIDEVERSION, [
        ['weird', EQ, '5:1.0-1'],
        ['weird-cap', 0, ''],
        ['dup-of-require', EQ, '2.0'],
        ['badprov', EQ, 'abc:1'],
        ['foo', EQ, '1.0'],
      ]),
      ...deps(RpmTag.REQUIRENAME, RpmTag.REQUIREFLAGS, RpmTag.REQUIREVERSION, [
        ['rpmlib(PayloadIsZstd)', RPMLIB | LESS | EQ, '5.4.18-1'],
        ['dup-of-require', EQ, '2.0'],
        ['dup-of-require', GE, '2.0'],
        ['repeat', 0, ''],
        ['other', 0, ''],
        ['repeat', 0, ''],
        ['repeat', SCRIPT_PRE, ''],
        ['repeat', 0, ''],
        ['weak-old', MISSINGOK, ''],
        ['weak-old', MISSINGOK | GE, '1'],
        ['bad-epoch', GE, 'x1:2.0'],
        ['empty-epoch', GE, ':2.0'],
        ['trailing-dash', EQ, '1.0-'],
        ['only-epoch', GE, '7:'],
        ['space-epoch', GE, ' 3:1'],
        ['two-colons', GE, '1:2:3-4-5'],
        ['weird-flags', 3, '1.0'],
        ['noflag-version', 0, '1.0'],
        ['', 0, ''],
        ['libc.so.6', 0, ''],
        ['libc.so.6(GLIBC_2.2.5)(64bit)', 0, ''],
        ['libc.so.6()(64bit)', 0, ''],
        ['libc.so.6(GLIBC_2.17)(64bit)', 0, ''],
        ['libc.so.6(GLIBC_2.3.4)(64bit)', 0, ''],
        ['/usr/lib/synth/data', 0, ''],
        ['/usr/sbin/synthd', 0, ''],
        ['/etc/not-own.conf', 0, ''],
        ['prereq-legacy', PREREQ, ''],
        ['fooEQ1.0', 0, ''],
      ]),
      ...deps(RpmTag.OLDSUGGESTSNAME, RpmTag.OLDSUGGESTSFLAGS, RpmTag.OLDSUGGESTSVERSION, [['os-weak', 0, ''], ['os-strong', STRONG, '']]),
      ...deps(RpmTag.OLDENHANCESNAME, RpmTag.OLDENHANCESFLAGS, RpmTag.OLDENHANCESVERSION, [['oe-weak', 0, ''], ['oe-strong', STRONG | GE, '1.0']]),
      ...deps(RpmTag.SUGGESTNAME, RpmTag.SUGGESTFLAGS, RpmTag.SUGGESTVERSION, [['new-sug', 0, '']]),
      ...deps(RpmTag.RECOMMENDNAME, RpmTag.RECOMMENDFLAGS, RpmTag.RECOMMENDVERSION, [['new-rec', LESS, '2']]),
      ...deps(RpmTag.ENHANCENAME, RpmTag.ENHANCEFLAGS, RpmTag.ENHANCEVERSION, [['new-enh', 0, '']]),
      ...deps(RpmTag.SUPPLEMENTNAME, RpmTag.SUPPLEMENTFLAGS, RpmTag.SUPPLEMENTVERSION, [['new-sup', 0, '']]),
      ...deps(RpmTag.CONFLICTNAME, RpmTag.CONFLICTFLAGS, RpmTag.CONFLICTVERSION, [['c1', EQ, 'z:1'], ['c2', LESS, '1']]),
      ...deps(RpmTag.OBSOLETENAME, RpmTag.OBSOLETEFLAGS, RpmTag.OBSOLETEVERSION, [['o1', LESS | EQ, '0:1-1']]),
    ]),
  },
  // Latin-1 text, translated summaries, odd changelogs, 64-bit sizes only in the signature header.
  'text.rpm': {
    signature: [int64(RpmSigTag.LONGARCHIVESIZE, 6_000_000_000n), int32(RpmSigTag.PAYLOADSIZE, 123)],
    main: basicMain([
      str(RpmTag.NAME, 'text'),
      int32(RpmTag.EPOCH, 0),
      strs(RpmTag.HEADERI18NTABLE, ['C', 'de']),
      i18n(RpmTag.SUMMARY, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x93, 0x71, 0x94, 0x09, 0x21]), 'Zusammenfassung'),
      i18n(RpmTag.DESCRIPTION, 'valid UTF-8 \u00fc with a real \uFFFD', 'Beschreibung'),
      str(RpmTag.PACKAGER, Buffer.from('J\xf6rg <j@example.org>', 'latin1')),
      int64(RpmTag.LONGSIZE, 5_000_000_000n),
      ...fileTags(['/usr/share/text/'], [[0, Buffer.from('f\xfcr', 'latin1'), REG, 0]]),
      int32(RpmTag.CHANGELOGTIME, T + 1, T, T, T, T - 5, T - 5, T - 9),
      strs(RpmTag.CHANGELOGNAME, ['A <a@x>   ', 'B <b@x>', ' ', 'D <d@x> - 1', 'E', 'F', 'G']),
      strs(RpmTag.CHANGELOGTEXT, ['- a', '- b & <c>', '- c', '- d', '- e', '- f', '- g']),
    ]),
  },
  'nosrc.rpm': { main: basicMain([str(RpmTag.NAME, 'nosrc'), int32(RpmTag.SOURCEPACKAGE, 1)], [RpmTag.SOURCERPM]) },
  'no-sourcerpm.rpm': {
    main: basicMain(
      [str(RpmTag.NAME, 'nosourcerpm'), ...fileTags(['/usr/bin/'], [[0, 'tool', 0o100755, 0]])],
      [RpmTag.SOURCERPM],
    ),
  },
  'srcpkg-zero.rpm': { main: basicMain([str(RpmTag.NAME, 'srczero'), int32(RpmTag.SOURCEPACKAGE, 0)], [RpmTag.SOURCERPM]) },
  'archive32.rpm': { main: basicMain([str(RpmTag.NAME, 'archive32'), int32(RpmTag.ARCHIVESIZE, 777)]) },
};

/** Packages createrepo_c refuses ("Forbidden control chars found"); the reader must refuse them too. */
const REJECTED: Record<string, [SyntheticRpm, RegExp]> = {
  'control-latin1.rpm': [
    { main: basicMain([str(RpmTag.NAME, 'ctl1'), i18n(RpmTag.SUMMARY, Buffer.from('caf\xe9\x01', 'latin1'))]) },
    /forbidden control character in summary \(character 0x01 at 4\)/,
  ],
  'control-dep.rpm': [
    { main: basicMain([str(RpmTag.NAME, 'ctl2'), ...deps(RpmTag.PROVIDENAME, RpmTag.PROVIDEFLAGS, RpmTag.PROVIDEVERSION, [['x', EQ, '1\x02']])]) },
    /forbidden control character in provides entry "x" version/,
  ],
};

describeWithTools(['createrepo_c', 'rpm'], 'readRpmPackage on hand-made legacy and edge-case headers', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let oracle: Map<string, PackageRecord>;
  const read = (file: string) => readRpmPackage(join(tmp.dir, file), { legacyPre: createrepoUsesLegacyPre() });

  beforeAll(async () => {
    tmp = await makeTempDir('ovirt-repo-rpm-legacy-');
    for (const [file, spec] of Object.entries(PACKAGES)) writeFileSync(join(tmp.dir, file), buildRpm(spec));
    for (const [file, [spec]] of Object.entries(REJECTED)) writeFileSync(join(tmp.dir, file), buildRpm(spec));
    oracle = createrepoRecords(tmp.dir);
  });

  afterAll(async () => {
    await tmp?.cleanup();
  });

  it('createrepo_c accepted every synthetic package except those with control characters', () => {
    expect([...oracle.keys()].sort()).toEqual(Object.keys(PACKAGES).sort());
  });

  it.each(Object.keys(REJECTED))('%s is rejected like createrepo_c rejects it', async (file) => {
    const path = join(tmp.dir, file);
    await expect(read(file)).rejects.toMatchObject({ code: 'E_RPM_INVALID', target: path, message: expect.stringContaining(path) });
    await expect(read(file)).rejects.toThrow(REJECTED[file]![1]);
  });

  it.each(Object.keys(PACKAGES))('%s reads exactly as createrepo_c writes it', async (file) => {
    expect(await read(file)).toEqual(oracle.get(file));
  });

  it('rpm itself reads the synthetic packages the same way (sanity check of the fixtures)', async () => {
    const q = (file: string, qf: string) =>
      execFileSync('rpm', ['-qp', '--nosignature', '--nodigest', '--qf', qf, join(tmp.dir, file)], { encoding: 'utf8', stdio: 'pipe' });
    expect(q('v3bin.rpm', '[%{FILENAMES}\n]').trim().split('\n')).toEqual((await read('v3bin.rpm')).files.map((f) => f.path));
    expect(q('v3bin.rpm', '%{SOURCERPM}')).toBe('(none)');
    expect(q('v3src.rpm', '%{SOURCEPACKAGE}')).toBe('1');
    expect(q('text.rpm', '%{LONGSIZE}|%{LONGARCHIVESIZE}')).toBe('5000000000|6000000000');
  });

  it('the fixtures exercise the rules they are meant to', () => {
    const v3 = oracle.get('v3bin.rpm')!;
    expect(v3.format.sourcerpm).toBe('(none)');
    expect(v3.format.provides.map((p) => p.name)).toEqual(['oldcap', 'oldpkg']);
    expect(oracle.get('v3src.rpm')!.arch).toBe('src');
    expect(oracle.get('nosrc.rpm')!.arch).toBe('src');
    const d = oracle.get('deps.rpm')!.format;
    expect(d.requires.filter((r) => r.name === 'repeat')).toHaveLength(3);
    expect(d.recommends.map((r) => r.name)).toEqual(['weak-old', 'weak-old', 'new-rec', 'os-strong']);
    expect(d.requires.map((r) => r.name)).not.toContain('fooEQ1.0');
    const text = oracle.get('text.rpm')!;
    expect(text.summary).toBe('café q\t!');
    expect(text.changelogs.map((c) => c.author)).toContain(' ');
    expect(text.size).toMatchObject({ installed: 5_000_000_000, archive: 6_000_000_000 });
  });
});
