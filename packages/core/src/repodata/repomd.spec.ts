import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@ovirt-repo/test-support';
import { isOvirtRepoError, type OvirtRepoError } from '../errors/index.js';
import { classifyRecord, parseRepomd, readRepomd, repomdXml, unsafeHrefReason } from './index.js';

const SHA = 'a'.repeat(64);
const OPEN = 'b'.repeat(64);

function repomd(data: string, top = '  <revision>1700000000</revision>\n'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
${top}${data}</repomd>
`;
}

function record(type: string, href: string, extra = ''): string {
  return `  <data type="${type}">
    <checksum type="sha256">${SHA}</checksum>
    <open-checksum type="sha256">${OPEN}</open-checksum>
    <location href="${href}"/>
    <timestamp>1700000000</timestamp>
    <size>994</size>
    <open-size>2344</open-size>
${extra}  </data>
`;
}

function thrown(fn: () => unknown): OvirtRepoError {
  try {
    fn();
  } catch (e) {
    if (isOvirtRepoError(e)) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('readRepomd', () => {
  it('parses records, tags and unknown elements, and dumps them back unchanged', async () => {
    const xml = repomd(
      record('primary', `repodata/${SHA}-primary.xml.gz`) +
        record('group_zck', 'repodata/comps.xml.zck', '    <future-field kind="x">42</future-field>\n'),
      '  <revision>rev 1</revision>\n  <tags>\n    <content>binary</content>\n    <distro cpeid="cpe:/o:x">X 1</distro>\n  </tags>\n',
    );
    const parsed = await readRepomd(xml);
    expect(parsed.revision).toBe('rev 1');
    expect(parsed.tags).toEqual({ content: ['binary'], repo: [], distro: [{ cpeid: 'cpe:/o:x', value: 'X 1' }] });
    expect(parsed.records[0]).toEqual({
      type: 'primary',
      location: { href: `repodata/${SHA}-primary.xml.gz` },
      checksum: { type: 'sha256', value: SHA },
      openChecksum: { type: 'sha256', value: OPEN },
      timestamp: 1700000000,
      size: 994,
      openSize: 2344,
    });
    expect(parsed.records[1]!.unknown).toEqual([{ name: 'future-field', attributes: { kind: 'x' }, text: '42' }]);
    expect(repomdXml(parsed)).toBe(xml);
  });

  it('reads from a path or a Buffer and names the file in errors', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const path = join(dir, 'repomd.xml');
      await writeFile(path, repomd(record('primary', 'repodata/p.xml.gz')));
      expect((await readRepomd(path)).records).toHaveLength(1);
      expect((await readRepomd(Buffer.from(repomd('')))).records).toEqual([]);
      await writeFile(path, repomd('  <data type="primary">\n'));
      await expect(readRepomd(path)).rejects.toMatchObject({ code: 'E_REPODATA_INVALID', target: path });
      await expect(readRepomd(join(dir, 'missing.xml'))).rejects.toMatchObject({ code: 'E_IO' });
    } finally {
      await cleanup();
    }
  });

  it.each([
    ['../escape.xml.gz', 'it contains a ".." segment'],
    ['repodata/../../etc/passwd', 'it contains a ".." segment'],
    ['/etc/passwd', 'it is an absolute path'],
    ['http://evil.example/x.xml.gz', 'it is an absolute URL'],
    ['other/primary.xml.gz', 'it is not below repodata/'],
    ['repodata/%2e%2e/x', 'it contains a percent-encoded dot or slash'],
    ['repodata\\x', 'it contains a backslash'],
    ['repodata//x', 'it contains an empty path segment'],
  ])('rejects the href %s (E_UNSAFE_PATH)', (href, reason) => {
    const e = thrown(() => parseRepomd(repomd(record('updateinfo', href)), 'mirror/repomd.xml'));
    expect(e.code).toBe('E_UNSAFE_PATH');
    expect(e.message).toBe(`mirror/repomd.xml: the "updateinfo" record's location href "${href}" is unsafe: ${reason}`);
  });

  it('rejects an xml:base on a metadata record', () => {
    const xml = repomd(record('primary', 'repodata/p.xml.gz').replace('<location ', '<location xml:base="http://x/" '));
    expect(thrown(() => parseRepomd(xml)).code).toBe('E_UNSAFE_PATH');
  });

  it.each([
    ['not XML at all', 'repomd.xml has root element', '<html><body>404</body></html>'],
    ['truncated', 'repomd.xml is not valid XML at line 5: unclosed tag: data', repomd(record('primary', 'repodata/p.xml.gz')).slice(0, 200)],
    ['a record without checksum', 'repomd.xml has no <checksum> in the "primary" record at line 4', repomd(record('primary', 'repodata/p.xml.gz').replace(/ {4}<checksum.*\n/, ''))],
    ['an unknown checksum type', 'repomd.xml has an unknown checksum type "crc"', repomd(record('primary', 'repodata/p').replace('<checksum type="sha256"', '<checksum type="crc"'))],
    ['a short digest', 'repomd.xml has a malformed sha256 value "abc"', repomd(record('primary', 'repodata/p').replace(SHA, 'abc'))],
    ['a bad size', 'repomd.xml has an invalid <size> "-1"', repomd(record('primary', 'repodata/p').replace('<size>994', '<size>-1'))],
    ['a record without type', 'repomd.xml has a <data> record without a type at line 4', repomd('  <data>\n  </data>\n')],
    ['duplicate types', 'repomd.xml has two "other" records', repomd(record('other', 'repodata/a') + record('other', 'repodata/b'))],
    ['an empty document', 'repomd.xml is empty or has no root element', ''],
  ])('rejects %s (E_REPODATA_INVALID)', (_label, message, xml) => {
    const e = thrown(() => parseRepomd(xml));
    expect(e.code).toBe('E_REPODATA_INVALID');
    expect(e.message).toContain(message);
    expect(e.target).toBe('repomd.xml');
  });

  it('accepts old repomd files without sizes and with fractional timestamps', () => {
    const xml = repomd(
      '  <data type="primary">\n    <checksum type="sha">' + 'c'.repeat(40) + '</checksum>\n    <location href="repodata/primary.xml.gz"/>\n    <timestamp>1330094356.61</timestamp>\n  </data>\n',
    );
    expect(parseRepomd(xml).records[0]).toEqual({
      type: 'primary',
      location: { href: 'repodata/primary.xml.gz' },
      checksum: { type: 'sha', value: 'c'.repeat(40) },
      timestamp: 1330094356.61,
    });
  });
});

describe('record classification and href safety', () => {
  it('classifies records', () => {
    expect(['primary', 'other_db', 'filelists_zck', 'group_gz', 'updateinfo', 'modules', 'updateinfo_zck', 'prestodelta', 'prestodelta_zck', 'deltainfo'].map(classifyRecord)).toEqual([
      'core',
      'package-derived',
      'package-derived',
      'opaque',
      'opaque',
      'opaque',
      'opaque',
      'delta',
      'delta',
      'delta',
    ]);
  });

  it('accepts ordinary relative hrefs', () => {
    expect(unsafeHrefReason('repodata/abc-primary.xml.gz')).toBeUndefined();
    expect(unsafeHrefReason('Packages/a b/ü&1.rpm')).toBeUndefined();
    expect(unsafeHrefReason('a/./b')).toBe('it contains a "." segment');
    expect(unsafeHrefReason('')).toBe('it is empty');
  });
});
