import type { PackageRecord } from './model.js';
import { filelistsPackageXml, isPrimaryFile, otherPackageXml, primaryPackageXml } from './index.js';

function pkg(overrides: Partial<PackageRecord> = {}): PackageRecord {
  return {
    name: 'foo',
    arch: 'x86_64',
    epoch: '0',
    version: '1.2',
    release: '3.el9',
    checksum: { type: 'sha256', value: 'ab'.repeat(32) },
    summary: 'S',
    description: 'D',
    packager: '',
    url: '',
    time: { file: 10, build: 20 },
    size: { package: 100, installed: 200, archive: 300 },
    location: { href: 'Packages/f/foo-1.2-3.el9.x86_64.rpm' },
    format: {
      license: 'MIT',
      vendor: '',
      group: 'Unspecified',
      buildhost: 'host',
      sourcerpm: 'foo-1.2-3.el9.src.rpm',
      headerRange: { start: 4504, end: 7805 },
      provides: [],
      requires: [],
      conflicts: [],
      obsoletes: [],
      suggests: [],
      enhances: [],
      recommends: [],
      supplements: [],
    },
    files: [],
    changelogs: [],
    ...overrides,
  };
}

describe('package XML as createrepo_c dumps it', () => {
  it('writes primary with createrepo_c element order, attributes and indentation', () => {
    const p = pkg({
      location: { href: 'a b/ü.rpm', base: '/srv/repo' },
      files: [
        { path: '/usr/bin/foo', type: 'file' },
        { path: '/usr/share/foo', type: 'dir' },
        { path: '/etc/foo', type: 'dir' },
        { path: '/etc/foo/ghost', type: 'ghost' },
      ],
    });
    p.format.provides = [{ name: 'foo', flags: 'EQ', epoch: '0', version: '1.2', release: '3.el9' }];
    p.format.requires = [
      { name: 'bar', flags: 'GE', epoch: '1', version: '2', pre: true },
      { name: 'baz', pre: true },
      { name: 'qux', version: 'ignored-without-flags' },
    ];
    p.format.conflicts = [{ name: '' }];
    p.format.supplements = [{ name: '(a if b)' }];
    p.format.provides.push({ name: 'prov-pre', pre: true });
    expect(primaryPackageXml(p)).toBe(
      `<package type="rpm">
  <name>foo</name>
  <arch>x86_64</arch>
  <version epoch="0" ver="1.2" rel="3.el9"/>
  <checksum type="sha256" pkgid="YES">${'ab'.repeat(32)}</checksum>
  <summary>S</summary>
  <description>D</description>
  <packager></packager>
  <url></url>
  <time file="10" build="20"/>
  <size package="100" installed="200" archive="300"/>
  <location xml:base="file:///srv/repo" href="a b/&#xFC;.rpm"/>
  <format>
    <rpm:license>MIT</rpm:license>
    <rpm:vendor></rpm:vendor>
    <rpm:group>Unspecified</rpm:group>
    <rpm:buildhost>host</rpm:buildhost>
    <rpm:sourcerpm>foo-1.2-3.el9.src.rpm</rpm:sourcerpm>
    <rpm:header-range start="4504" end="7805"/>
    <rpm:provides>
      <rpm:entry name="foo" flags="EQ" epoch="0" ver="1.2" rel="3.el9"/>
      <rpm:entry name="prov-pre"/>
    </rpm:provides>
    <rpm:requires>
      <rpm:entry name="bar" flags="GE" epoch="1" ver="2" pre="1"/>
      <rpm:entry name="baz" pre="1"/>
      <rpm:entry name="qux"/>
    </rpm:requires>
    <rpm:conflicts/>
    <rpm:supplements>
      <rpm:entry name="(a if b)"/>
    </rpm:supplements>
    <file>/usr/bin/foo</file>
    <file type="dir">/etc/foo</file>
    <file type="ghost">/etc/foo/ghost</file>
  </format>
</package>
`,
    );
  });

  it('keeps an xml:base that already is a URL', () => {
    expect(primaryPackageXml(pkg({ location: { href: 'x.rpm', base: 'http://h/r' } }))).toContain(
      '<location xml:base="http://h/r" href="x.rpm"/>',
    );
  });

  it('writes filelists with every file and other with changelogs', () => {
    const p = pkg({
      files: [
        { path: '/usr/share/a & b', type: 'file' },
        { path: '/usr/share/d', type: 'dir' },
      ],
      changelogs: [{ author: 'Jöhn <j@x> - 1.2-3', date: 1704110400, text: '- fix <bug> & more\n- second' }],
    });
    const head = `<package pkgid="${'ab'.repeat(32)}" name="foo" arch="x86_64">\n  <version epoch="0" ver="1.2" rel="3.el9"/>\n`;
    expect(filelistsPackageXml(p)).toBe(
      `${head}  <file>/usr/share/a &amp; b</file>\n  <file type="dir">/usr/share/d</file>\n</package>\n`,
    );
    expect(otherPackageXml(p)).toBe(
      `${head}  <changelog author="J&#xF6;hn &lt;j@x&gt; - 1.2-3" date="1704110400">- fix &lt;bug&gt; &amp; more\n- second</changelog>\n</package>\n`,
    );
    expect(otherPackageXml(pkg())).toBe(`${head}</package>\n`);
  });

  it('selects primary files like createrepo_c', () => {
    expect(isPrimaryFile('/etc/foo')).toBe(true);
    expect(isPrimaryFile('/etc')).toBe(false);
    expect(isPrimaryFile('/usr/lib/sendmail')).toBe(true);
    expect(isPrimaryFile('/usr/lib/sendmail.x')).toBe(false);
    expect(isPrimaryFile('/usr/bin/x')).toBe(true);
    expect(isPrimaryFile('/opt/vendor/sbin/x')).toBe(true);
    expect(isPrimaryFile('/usr/share/cabin/x')).toBe(true);
    expect(isPrimaryFile('/usr/bin')).toBe(false);
    expect(isPrimaryFile('/usr/libexec/x')).toBe(false);
  });
});
