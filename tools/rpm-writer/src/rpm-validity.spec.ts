import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { buildRpm } from './build-rpm.js';
import type { RpmSpec } from './spec.js';
import { writeRpm } from './write-rpm.js';

function run(cmd: string, args: string[], input?: Buffer): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** rpm output, failing the test with rpm's own message when rpm fails. */
function rpmOut(args: string[]): string {
  const r = run('rpm', args);
  if (r.status !== 0) throw new Error(`rpm ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');

const helloSpec: RpmSpec = {
  name: 'hello',
  epoch: 2,
  version: '1.0',
  release: '1.el9',
  arch: 'x86_64',
  summary: 'Hello summary',
  description: 'Hello description.\nSecond line.',
  license: 'GPL-2.0-or-later',
  group: 'Applications/System',
  url: 'https://example.com/hello',
  vendor: 'Acme',
  packager: 'Bob <bob@example.com>',
  buildhost: 'builder.example.com',
  buildtime: 1_704_067_200,
  dependencies: {
    provides: [{ name: 'hello-api', flags: 'EQ', version: '1.0' }, { name: '/usr/bin/hi' }],
    requires: [{ name: 'bash', flags: 'GE', version: '4.2' }, { name: 'shadow-utils', pre: true }, { name: 'libfoo', flags: 'LT', version: '3:2-1' }],
    conflicts: [{ name: 'hello-ng' }],
    obsoletes: [{ name: 'hello-old', flags: 'LE', version: '0.9' }],
    recommends: [{ name: 'hello-docs' }],
    suggests: [{ name: 'hello-extras', flags: 'GT', version: '1' }],
    supplements: [{ name: 'hello-plugin' }],
    enhances: [{ name: 'shell' }],
  },
  files: [
    { path: '/usr/bin/hello', mode: 0o755, contents: '#!/bin/sh\necho hello\n' },
    { path: '/usr/bin/hi', type: 'symlink', linkTo: 'hello' },
    { path: '/etc/hello', type: 'dir' },
    { path: '/etc/hello/hello.conf', type: 'config', contents: 'greeting=hi\n', mode: 0o600 },
    { path: '/var/log/hello.log', type: 'ghost' },
    { path: '/usr/share/hello/data.bin', contents: Buffer.from([0, 1, 2, 255]), mtime: 1_600_000_000, user: 'daemon', group: 'daemon' },
  ],
  changelogs: [
    { time: 1_672_574_400, author: 'Bob <bob@example.com> - 2:0.9-1', text: '- First release' },
    { time: 1_704_110_400, author: 'Bob <bob@example.com> - 2:1.0-1', text: '- Update to 1.0\n- Fix things' },
  ],
};

describeWithTools(['rpm', 'rpm2cpio', 'cpio'], 'written packages and real rpm', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let hello: string;
  let srpm: string;

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir('rpm-writer-'));
    hello = await writeRpm(helloSpec, join(dir, 'out'));
    srpm = await writeRpm(
      { name: 'hello', version: '1.0', release: '1.el9', arch: 'x86_64', source: true, files: [{ path: 'hello.spec', contents: 'Name: hello\n' }, { path: 'hello-1.0.tar.gz', contents: Buffer.alloc(300, 7) }] },
      join(dir, 'out'),
    );
  });
  afterAll(() => cleanup?.());

  it('passes rpm -K with every digest rpm 4.18 checks', () => {
    const k = run('rpm', ['-K', '--nosignature', hello]);
    expect(k.status).toBe(0);
    expect(k.stdout).toBe(`${hello}: digests OK\n`);
    const v = rpmOut(['-Kv', hello]);
    for (const digest of ['Header SHA256 digest: OK', 'Header SHA1 digest: OK', 'Payload SHA256 digest: OK', 'MD5 digest: OK']) {
      expect(v).toContain(digest);
    }
  });

  it('fails rpm -K when a payload byte changes', async () => {
    const bad = buildRpm(helloSpec);
    bad[bad.length - 20] ^= 0xff;
    const path = join(dir, 'tampered.rpm');
    await writeFile(path, bad);
    const k = run('rpm', ['-K', '--nosignature', path]);
    expect(k.status).not.toBe(0);
    expect(k.stdout).toBe(`${path}: DIGESTS NOT OK\n`);
    const v = run('rpm', ['-Kv', '--nosignature', path]).stdout;
    expect(v).toContain('Payload SHA256 digest: BAD');
    expect(v).toContain('Header SHA256 digest: OK');
  });

  it('shows the package fields in rpm -qip', () => {
    const info = rpmOut(['-qip', hello]);
    const field = (name: string): string | undefined => info.match(new RegExp(`^${name}\\s*: (.*)$`, 'm'))?.[1];
    expect(field('Name')).toBe('hello');
    expect(field('Epoch')).toBe('2');
    expect(field('Version')).toBe('1.0');
    expect(field('Release')).toBe('1.el9');
    expect(field('Architecture')).toBe('x86_64');
    expect(field('Group')).toBe('Applications/System');
    expect(field('Size')).toBe(String(21 + 5 + 12 + 4));
    expect(field('License')).toBe('GPL-2.0-or-later');
    expect(field('Source RPM')).toBe('hello-1.0-1.el9.src.rpm');
    expect(field('Build Host')).toBe('builder.example.com');
    expect(field('Packager')).toBe('Bob <bob@example.com>');
    expect(field('Vendor')).toBe('Acme');
    expect(field('URL')).toBe('https://example.com/hello');
    expect(field('Summary')).toBe('Hello summary');
    expect(info).toMatch(/Description :\nHello description.\nSecond line.\n/);
    expect(rpmOut(['-qp', '--qf', '%{BUILDTIME} %{OS} %{PAYLOADFORMAT} %{PAYLOADCOMPRESSOR} %{PAYLOADFLAGS}', hello])).toBe('1704067200 linux cpio gzip 9');
  });

  it('lists the files with their modes, owners, flags, sizes, mtimes and digests', () => {
    expect(lines(rpmOut(['-qlp', hello]))).toEqual([
      '/etc/hello',
      '/etc/hello/hello.conf',
      '/usr/bin/hello',
      '/usr/bin/hi',
      '/usr/share/hello/data.bin',
      '/var/log/hello.log',
    ]);
    expect(lines(rpmOut(['-qp', '--qf', '[%{FILEMODES:perms} %{FILEFLAGS:fflags} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILESIZES} %{FILEMTIMES} %{FILENAMES}\n]', hello]))).toEqual([
      'drwxr-xr-x  root:root 0 1704067200 /etc/hello',
      '-rw------- c root:root 12 1704067200 /etc/hello/hello.conf',
      '-rwxr-xr-x  root:root 21 1704067200 /usr/bin/hello',
      'lrwxrwxrwx  root:root 5 1704067200 /usr/bin/hi',
      '-rw-r--r--  daemon:daemon 4 1600000000 /usr/share/hello/data.bin',
      '-rw-r--r-- g root:root 0 1704067200 /var/log/hello.log',
    ]);
    expect(rpmOut(['-qp', '--qf', '[%{FILELINKTOS}|]', hello])).toBe('|||hello|||');
    const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
    expect(rpmOut(['-qp', '--qf', '[%{FILEDIGESTS}|]', hello])).toBe(
      `|${sha256('greeting=hi\n')}|${sha256('#!/bin/sh\necho hello\n')}||${createHash('sha256').update(Buffer.from([0, 1, 2, 255])).digest('hex')}||`,
    );
    expect(rpmOut(['-qp', '--qf', '%{FILEDIGESTALGO}', hello])).toBe('8');
  });

  it('lists every kind of dependency, rpm-added ones included', () => {
    const q = (flag: string): string[] => lines(rpmOut(['-qp', flag, hello]));
    expect(q('--provides')).toEqual(['/usr/bin/hi', 'config(hello) = 2:1.0-1.el9', 'hello = 2:1.0-1.el9', 'hello(x86-64) = 2:1.0-1.el9', 'hello-api = 1.0']);
    expect(q('--requires')).toEqual([
      'bash >= 4.2',
      'config(hello) = 2:1.0-1.el9',
      'libfoo < 3:2-1',
      'rpmlib(CompressedFileNames) <= 3.0.4-1',
      'rpmlib(FileDigests) <= 4.6.0-1',
      'rpmlib(PayloadFilesHavePrefix) <= 4.0-1',
      'shadow-utils',
    ]);
    expect(lines(rpmOut(['-qp', '--qf', '[%{REQUIRENAME} %{REQUIREFLAGS:deptype}\n]', hello]))).toContain('shadow-utils pre');
    expect(q('--conflicts')).toEqual(['hello-ng']);
    expect(q('--obsoletes')).toEqual(['hello-old <= 0.9']);
    expect(q('--recommends')).toEqual(['hello-docs']);
    expect(q('--suggests')).toEqual(['hello-extras > 1']);
    expect(q('--supplements')).toEqual(['hello-plugin']);
    expect(q('--enhances')).toEqual(['shell']);
  });

  it('marks %doc and %license files, which rpm lists apart and dnf can leave out (tsflags=nodocs)', async () => {
    const rpm = await writeRpm(
      {
        name: 'documented',
        version: '1.0',
        release: '1',
        arch: 'noarch',
        files: [
          { path: '/usr/share/doc/documented/README.md', type: 'doc', contents: '# documented\n' },
          { path: '/usr/share/licenses/documented/LICENSE', type: 'license', contents: 'Apache-2.0\n' },
          { path: '/usr/share/documented/data', contents: 'x\n' },
        ],
      },
      join(dir, 'doc'),
    );
    expect(lines(rpmOut(['-qp', '--docfiles', rpm]))).toEqual(['/usr/share/doc/documented/README.md']);
    expect(lines(rpmOut(['-qp', '--licensefiles', rpm]))).toEqual(['/usr/share/licenses/documented/LICENSE']);
    expect(lines(rpmOut(['-qp', '--qf', '[%{FILENAMES} %{FILEMODES:perms} %{FILESIZES}\n]', rpm]))).toEqual([
      '/usr/share/doc/documented/README.md -rw-r--r-- 13',
      '/usr/share/documented/data -rw-r--r-- 2',
      '/usr/share/licenses/documented/LICENSE -rw-r--r-- 11',
    ]);
  });

  it('stores the changelog newest first', () => {
    expect(rpmOut(['-qp', '--changelog', hello])).toBe(
      '* Mon Jan 01 2024 Bob <bob@example.com> - 2:1.0-1\n- Update to 1.0\n- Fix things\n\n' +
        '* Sun Jan 01 2023 Bob <bob@example.com> - 2:0.9-1\n- First release\n\n',
    );
  });

  it('carries a newc payload with ./ names and no ghost files', () => {
    const cpio = spawnSync('sh', ['-c', 'rpm2cpio "$1" | cpio -t --quiet', 'sh', hello], { encoding: 'utf8' });
    expect(cpio.status).toBe(0);
    expect(lines(cpio.stdout)).toEqual(['./etc/hello', './etc/hello/hello.conf', './usr/bin/hello', './usr/bin/hi', './usr/share/hello/data.bin']);
  });

  it('installs into a fresh root with digests checked, and verifies clean', async () => {
    const root = join(dir, 'root');
    await mkdir(root);
    const install = run('rpm', ['-i', '--nodeps', '--root', root, '--dbpath', '/var/lib/rpm', hello]);
    expect(install.status).toBe(0);
    expect(await readFile(join(root, 'usr/bin/hello'), 'utf8')).toBe('#!/bin/sh\necho hello\n');
    expect((await stat(join(root, 'usr/bin/hello'))).mode & 0o7777).toBe(0o755);
    expect(await readlink(join(root, 'usr/bin/hi'))).toBe('hello');
    expect(await readFile(join(root, 'etc/hello/hello.conf'), 'utf8')).toBe('greeting=hi\n');
    expect((await stat(join(root, 'etc/hello/hello.conf'))).mode & 0o7777).toBe(0o600);
    expect(await readFile(join(root, 'usr/share/hello/data.bin'))).toEqual(Buffer.from([0, 1, 2, 255]));
    expect((await stat(join(root, 'usr/share/hello/data.bin'))).mtimeMs).toBe(1_600_000_000_000);
    await expect(stat(join(root, 'var/log/hello.log'))).rejects.toThrow(/ENOENT/);
    expect(rpmOut(['-q', '--root', root, '--dbpath', '/var/lib/rpm', 'hello'])).toBe('hello-1.0-1.el9.x86_64\n');
    // `daemon` is unknown in the empty root (installed as root), so only check the files rpm can verify fully.
    const verify = run('rpm', ['-V', '--nodeps', '--nouser', '--nogroup', '--root', root, '--dbpath', '/var/lib/rpm', 'hello']);
    expect(verify.stdout).toBe('');
    expect(verify.status).toBe(0);
  });

  it('stores identical files below hardlinkDuplicatesIn once, as hard links, and rpm installs them', async () => {
    const same = 'Apache License 2.0\n'.repeat(200);
    const spec: RpmSpec = {
      name: 'linked',
      version: '1.0',
      release: '1',
      arch: 'noarch',
      files: [
        { path: '/usr/lib/linked/a/LICENSE', contents: same },
        { path: '/usr/lib/linked/a/NOTES', contents: 'notes\n' }, // between two links, in path order
        { path: '/usr/lib/linked/b/LICENSE', contents: same },
        { path: '/usr/lib/linked/c/LICENSE', contents: same },
        { path: '/usr/lib/linked/run', contents: same, mode: 0o755 }, // same bytes, other mode: its own file
        { path: '/usr/lib/linked/other', contents: 'other\n' },
        { path: '/usr/share/doc/linked/LICENSE', contents: same }, // outside the directory: a copy of its own
      ],
    };
    const plain = await writeRpm(spec, join(dir, 'unlinked'));
    const linked = await writeRpm({ ...spec, hardlinkDuplicatesIn: '/usr/lib/linked' }, join(dir, 'linked'));
    expect(rpmOut(['-K', linked])).toMatch(/digests OK/);
    const payloadSize = (f: string): number => Number(rpmOut(['-qp', '--qf', '%{ARCHIVESIZE}', f]));
    expect(payloadSize(plain) - payloadSize(linked)).toBeGreaterThanOrEqual(2 * same.length);
    // rpm's installed size counts a hard-linked file once, as rpmbuild does.
    expect(Number(rpmOut(['-qp', '--qf', '%{SIZE}', linked]))).toBe(3 * same.length + 'other\n'.length + 'notes\n'.length);

    const root = join(dir, 'linked-root');
    await mkdir(root);
    const install = run('rpm', ['-i', '--nodeps', '--root', root, '--dbpath', '/var/lib/rpm', linked]);
    expect(install.status).toBe(0);
    const files = ['lib/linked/a/LICENSE', 'lib/linked/b/LICENSE', 'lib/linked/c/LICENSE', 'lib/linked/run', 'share/doc/linked/LICENSE'].map((f) => join(root, 'usr', f));
    const stats = await Promise.all(files.map((f) => stat(f)));
    expect(stats.map((st) => st.nlink)).toEqual([3, 3, 3, 1, 1]);
    expect(new Set(stats.slice(0, 3).map((st) => st.ino)).size).toBe(1);
    for (const f of files) expect(await readFile(f, 'utf8')).toBe(same);
    expect(await readFile(join(root, 'usr/lib/linked/a/NOTES'), 'utf8')).toBe('notes\n');
    const verify = run('rpm', ['-V', '--nodeps', '--root', root, '--dbpath', '/var/lib/rpm', 'linked']);
    expect(verify.stdout).toBe('');
    expect(verify.status).toBe(0);
  });

  it('writes a source package rpm recognises as one', async () => {
    expect(run('rpm', ['-K', '--nosignature', srpm]).stdout).toBe(`${srpm}: digests OK\n`);
    expect(rpmOut(['-qp', '--qf', '%{SOURCEPACKAGE} %{ARCH} %{SOURCERPM}', srpm])).toBe('1 x86_64 (none)');
    expect(lines(rpmOut(['-qlp', srpm]))).toEqual(['hello-1.0.tar.gz', 'hello.spec']);
    expect(lines(rpmOut(['-qp', '--qf', '[%{FILEFLAGS:fflags}:%{FILENAMES}\n]', srpm]))).toEqual([':hello-1.0.tar.gz', 's:hello.spec']);
    expect(lines(rpmOut(['-qp', '--requires', srpm]))).toEqual(['rpmlib(CompressedFileNames) <= 3.0.4-1', 'rpmlib(FileDigests) <= 4.6.0-1']);
    const cpio = spawnSync('sh', ['-c', 'rpm2cpio "$1" | cpio -t --quiet', 'sh', srpm], { encoding: 'utf8' });
    expect(lines(cpio.stdout)).toEqual(['hello-1.0.tar.gz', 'hello.spec']);
    const root = join(dir, 'srcroot');
    await mkdir(root);
    const install = run('rpm', ['-i', '--root', root, '--dbpath', '/var/lib/rpm', '--define', '_topdir /build', srpm]);
    expect(install.status).toBe(0);
    expect(await readFile(join(root, 'build/SPECS/hello.spec'), 'utf8')).toBe('Name: hello\n');
    expect(await readFile(join(root, 'build/SOURCES/hello-1.0.tar.gz'))).toEqual(Buffer.alloc(300, 7));
  });

  it('writes, checks and installs a package with 2,000 files', async () => {
    const files: RpmSpec['files'] = [];
    for (let d = 0; d < 40; d++) {
      files.push({ path: `/opt/big/d${d}`, type: 'dir' });
      for (let f = 0; f < 50; f++) files.push({ path: `/opt/big/d${d}/f${f}.txt`, contents: `file ${d}/${f}\n`.repeat(1 + (f % 5)) });
    }
    const big = await writeRpm({ name: 'big', version: '1', release: '1', arch: 'noarch', files }, join(dir, 'out'));
    expect(run('rpm', ['-K', '--nosignature', big]).stdout).toBe(`${big}: digests OK\n`);
    const listed = lines(rpmOut(['-qlp', big]));
    expect(listed).toHaveLength(2040);
    expect(listed).toEqual([...files.map((f) => f.path)].sort());
    const root = join(dir, 'bigroot');
    await mkdir(root);
    expect(run('rpm', ['-i', '--nodeps', '--root', root, '--dbpath', '/var/lib/rpm', big]).status).toBe(0);
    expect(await readFile(join(root, 'opt/big/d39/f49.txt'), 'utf8')).toBe('file 39/49\n'.repeat(5));
    expect(run('rpm', ['-V', '--nodeps', '--root', root, '--dbpath', '/var/lib/rpm', 'big']).status).toBe(0);
  });
});
