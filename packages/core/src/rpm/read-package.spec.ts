import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import type { PackageRecord } from '../repodata/model.js';
import { createrepoPrimaryFiles, createrepoRecords, createrepoUsesLegacyPre } from './createrepo-oracle.spec.helper.js';
import { isPrimaryFile } from './files.js';
import { readRawRpmDependencies, readRpmFileList, readRpmHeaders, readRpmPackage, RpmSense, RpmSigTag, RpmTag } from './index.js';
import { SPECS } from './rpmbuild-specs.spec.helper.js';

const rpmQuery = (file: string, ...args: string[]): string =>
  execFileSync('rpm', ['-qp', '--nosignature', '--nodigest', ...args, file], { encoding: 'utf8' });
const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');

describeWithTools(['rpmbuild', 'rpm', 'createrepo_c'], 'readRpmPackage on packages built by rpmbuild', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let repo: string;
  const rpms = new Map<string, string>();
  let oracle: Map<string, PackageRecord>;
  const legacyPre = createrepoUsesLegacyPre();

  beforeAll(async () => {
    tmp = await makeTempDir('ovirt-repo-rpm-');
    const top = join(tmp.dir, 'top');
    repo = join(tmp.dir, 'repo');
    mkdirSync(repo);
    for (const [name, spec] of Object.entries(SPECS)) {
      const specFile = join(tmp.dir, `${name}.spec`);
      writeFileSync(specFile, spec);
      execFileSync('rpmbuild', ['--define', `_topdir ${top}`, name === 'alpha' ? '-ba' : '-bb', specFile], { stdio: 'pipe' });
    }
    for (const sub of ['RPMS/x86_64', 'RPMS/noarch', 'SRPMS']) {
      const dir = join(top, sub);
      for (const f of readdirSync(dir)) {
        copyFileSync(join(dir, f), join(repo, f));
        rpms.set(f, join(repo, f));
      }
    }
    oracle = createrepoRecords(repo);
  });

  afterAll(async () => {
    await tmp?.cleanup();
  });

  it('built the packages the suite expects', () => {
    expect([...rpms.keys()].sort()).toEqual([
      'alpha-2.5-7.el9.src.rpm',
      'alpha-2.5-7.el9.x86_64.rpm',
      'beta-0.1-1.noarch.rpm',
      'gamma-1-1.noarch.rpm',
      'many-1.0-1.noarch.rpm',
    ]);
    expect(oracle.size).toBe(rpms.size);
  });

  it('produces exactly the record createrepo_c writes, for every package', async () => {
    for (const [file, path] of rpms) {
      const record = await readRpmPackage(path, { legacyPre });
      expect({ file, record }).toEqual({ file, record: oracle.get(file) });
    }
  });

  it('covers the interesting cases (so the comparison above means something)', async () => {
    const alpha = oracle.get('alpha-2.5-7.el9.x86_64.rpm')!;
    expect(alpha.epoch).toBe('3');
    expect(alpha.summary).toContain('Ünïcödé <alpha> & "quotes"');
    expect(alpha.files.map((f) => f.type).sort()).toEqual(expect.arrayContaining(['dir', 'ghost', 'file']));
    const reqNames = alpha.format.requires.map((r) => r.name);
    expect(reqNames).toContain('(pkgA if pkgB)');
    expect(reqNames).toContain('/opt/alpha/data.txt');
    expect(reqNames).not.toContain('/usr/bin/alpha-tool');
    expect(reqNames.filter((n) => n.startsWith('libc.so.6'))).toEqual(['libc.so.6(GLIBC_2.14)(64bit)']);
    expect(reqNames[reqNames.length - 1]).toBe('libc.so.6(GLIBC_2.14)(64bit)');
    expect(alpha.format.requires.some((r) => r.pre)).toBe(true);
    expect(alpha.format.recommends.length + alpha.format.suggests.length).toBeGreaterThan(1);
    expect(alpha.changelogs).toHaveLength(10);
    expect(new Set(alpha.changelogs.map((c) => c.date)).size).toBe(10);
    expect(oracle.get('alpha-2.5-7.el9.src.rpm')!.arch).toBe('src');
    expect(oracle.get('gamma-1-1.noarch.rpm')!.files).toEqual([]);
    const many = await readRpmHeaders(rpms.get('many-1.0-1.noarch.rpm')!);
    // Larger than the reader's first read, so the incremental path is exercised.
    expect(many.headerRange.end).toBeGreaterThan(64 * 1024);
  });

  it('puts the same files in primary as createrepo_c when filtered with isPrimaryFile', async () => {
    const primary = createrepoPrimaryFiles(repo);
    for (const [file, path] of rpms) {
      const record = await readRpmPackage(path, { legacyPre });
      expect(record.files.map((f) => f.path).filter(isPrimaryFile)).toEqual(primary.get(file));
    }
  });

  it('keeps the newest N changelog entries like createrepo_c --changelog-limit', async () => {
    const out = join(tmp.dir, 'limit3');
    mkdirSync(out);
    const limited = createrepoRecords(repo, ['--changelog-limit', '3'], out);
    const path = rpms.get('alpha-2.5-7.el9.x86_64.rpm')!;
    const record = await readRpmPackage(path, { changelogLimit: 3 });
    expect(record.changelogs).toEqual(limited.get(basename(path))!.changelogs);
    const all = await readRpmPackage(path, { changelogLimit: -1 });
    expect(all.changelogs).toHaveLength(lines(rpmQuery(path, '--qf', '[%{CHANGELOGTIME}\\n]')).length);
    expect((await readRpmPackage(path, { changelogLimit: 0 })).changelogs).toEqual([]);
  });

  it('reads raw tags as rpm does', async () => {
    for (const path of rpms.values()) {
      const { main } = await readRpmHeaders(path);
      const qf = '%{NAME}|%{EPOCHNUM}|%{VERSION}|%{RELEASE}|%{ARCH}|%{SUMMARY}|%{BUILDTIME}|%{LONGSIZE}';
      const epoch = main.getNumber(RpmTag.EPOCH) ?? 0;
      const size = main.getNumber(RpmTag.LONGSIZE) ?? main.getNumber(RpmTag.SIZE);
      expect(
        [main.getString(RpmTag.NAME), epoch, main.getString(RpmTag.VERSION), main.getString(RpmTag.RELEASE),
          main.getString(RpmTag.ARCH), main.getString(RpmTag.SUMMARY), main.getNumber(RpmTag.BUILDTIME), size].join('|'),
      ).toBe(rpmQuery(path, '--qf', qf));

      const files = readRpmFileList(main).files;
      expect(files.map((f) => f.path)).toEqual(lines(rpmQuery(path, '--qf', '[%{FILENAMES}\\n]')));
      expect((main.getNumbers(RpmTag.FILEMODES) ?? []).map(String)).toEqual(lines(rpmQuery(path, '--qf', '[%{FILEMODES}\\n]')));
      expect((main.getNumbers(RpmTag.FILEFLAGS) ?? []).map(String)).toEqual(lines(rpmQuery(path, '--qf', '[%{FILEFLAGS}\\n]')));

      const req = readRawRpmDependencies(main, RpmTag.REQUIRENAME, RpmTag.REQUIREFLAGS, RpmTag.REQUIREVERSION) ?? [];
      expect(req.map((d) => `${d.name}|${d.flags}|${d.version}`)).toEqual(
        lines(rpmQuery(path, '--qf', '[%{REQUIRENAME}|%{REQUIREFLAGS}|%{REQUIREVERSION}\\n]')),
      );
      const prov = readRawRpmDependencies(main, RpmTag.PROVIDENAME, RpmTag.PROVIDEFLAGS, RpmTag.PROVIDEVERSION) ?? [];
      expect(prov.map((d) => `${d.name}|${d.flags}|${d.version}`)).toEqual(
        lines(rpmQuery(path, '--qf', '[%{PROVIDENAME}|%{PROVIDEFLAGS}|%{PROVIDEVERSION}\\n]')),
      );
      const times = main.getNumbers(RpmTag.CHANGELOGTIME) ?? [];
      const authors = main.getStringArray(RpmTag.CHANGELOGNAME) ?? [];
      expect(times.map((t, i) => `${t}|${authors[i]}`)).toEqual(lines(rpmQuery(path, '--qf', '[%{CHANGELOGTIME}|%{CHANGELOGNAME}\\n]')));
    }
  });

  it('locates the main header exactly: its bytes match the SHA256 header digest rpmbuild signed', async () => {
    for (const path of rpms.values()) {
      const { main, signature, headerRange } = await readRpmHeaders(path);
      const bytes = main.toBuffer();
      expect(headerRange.end - headerRange.start).toBe(bytes.length);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(signature.getString(RpmSigTag.SHA256));
    }
  });

  it('marks pretrans/posttrans requires as pre only with the createrepo_c >= 1.1.1 rule (legacyPre: false)', async () => {
    const path = rpms.get('alpha-2.5-7.el9.x86_64.rpm')!;
    const raw = lines(rpmQuery(path, '--qf', '[%{REQUIRENAME}|%{REQUIREFLAGS}\\n]')).map((l) => l.split('|'));
    const flagsOf = (n: string) => Number(raw.find(([name]) => name === n)![1]);
    expect(flagsOf('pretrans-dep') & RpmSense.PRETRANS).toBeTruthy();
    expect(flagsOf('posttrans-dep') & RpmSense.POSTTRANS).toBeTruthy();

    const pre = (r: PackageRecord, n: string) => r.format.requires.find((d) => d.name === n)?.pre ?? false;
    const current = await readRpmPackage(path, { legacyPre: false });
    const legacy = await readRpmPackage(path);
    expect([pre(current, 'pretrans-dep'), pre(current, 'posttrans-dep')]).toEqual([true, true]);
    expect([pre(legacy, 'pretrans-dep'), pre(legacy, 'posttrans-dep')]).toEqual([false, false]);
    for (const r of [current, legacy]) {
      expect([pre(r, 'shadow-utils'), pre(r, 'coreutils'), pre(r, 'preun-dep')]).toEqual([true, true, false]);
    }
  });

  it('hashes the whole file with the requested algorithm and reports file facts', async () => {
    const path = rpms.get('many-1.0-1.noarch.rpm')!;
    for (const [type, tool] of [['sha512', 'sha512sum'], ['sha1', 'sha1sum'], ['md5', 'md5sum'], ['sha256', 'sha256sum']] as const) {
      const record = await readRpmPackage(path, { checksumType: type });
      expect(record.checksum).toEqual({ type, value: execFileSync(tool, [path], { encoding: 'utf8' }).split(' ')[0] });
    }
    const st = statSync(path);
    const record = await readRpmPackage(path, { locationHref: 'Packages/m/many.rpm', locationBase: 'http://mirror.example/x' });
    expect(record.size.package).toBe(st.size);
    expect(record.time.file).toBe(Number(execFileSync('stat', ['-c', '%Y', path], { encoding: 'utf8' }).trim()));
    expect(record.location).toEqual({ href: 'Packages/m/many.rpm', base: 'http://mirror.example/x' });
    expect(st.size).toBeGreaterThan(3 * 1024 * 1024);
  });

  it('rejects truncated or garbled copies of a real package, naming the file', async () => {
    const bytes = readFileSync(rpms.get('alpha-2.5-7.el9.x86_64.rpm')!);
    const { headerRange } = await readRpmHeaders(rpms.get('alpha-2.5-7.el9.x86_64.rpm')!);
    const garbled = (at: number) => {
      const b = Buffer.from(bytes);
      b[at] ^= 0xff;
      return b;
    };
    const copies: [string, Buffer, RegExp][] = [
      ['cut-lead', bytes.subarray(0, 50), /^truncated RPM: .*the lead/],
      ['cut-signature', bytes.subarray(0, headerRange.start - 1), /^truncated RPM: .*the signature header/],
      ['cut-main', bytes.subarray(0, headerRange.end - 1), /^truncated RPM: .*the main header/],
      ['cut-payload', bytes.subarray(0, bytes.length - 10), /^truncated RPM: the signature header gives/],
      ['bad-lead', garbled(1), /^not an RPM: bad lead magic 0xed54eedb/],
      ['bad-main-magic', garbled(headerRange.start), /^bad main header magic 0x71ade801/],
    ];
    for (const [name, content, message] of copies) {
      const path = join(tmp.dir, `${name}.rpm`);
      writeFileSync(path, content);
      const failure = readRpmPackage(path);
      await expect(failure).rejects.toMatchObject({ code: 'E_RPM_INVALID', target: path, message: expect.stringContaining(` in ${path}`) });
      await expect(failure).rejects.toThrow(message);
    }
  });
});
