import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { makeTempDir } from '@ovirt-repo/test-support';
import { hashBuffer } from '../checksum/index.js';
import { compressBuffer } from '../compress/index.js';
import { mergePackages, readFilelists, readOther, readPrimary, type FilelistsPackage, type OtherPackage, type PrimaryPackage } from './index.js';
import { failure } from '../errors/failure.spec.helper.js';

const ID1 = '1'.repeat(64);
const ID2 = '2'.repeat(64);

function primaryPackage(id: string, name: string): string {
  return `<package type="rpm">
  <name>${name}</name>
  <arch>noarch</arch>
  <version epoch="0" ver="1" rel="1"/>
  <checksum type="sha256" pkgid="YES">${id}</checksum>
  <summary>s &amp; &lt;t&gt;</summary>
  <description>d&#13;
x</description>
  <packager></packager>
  <url></url>
  <time file="1" build="2"/>
  <size package="3" installed="4" archive="5"/>
  <location xml:base="http://mirror/base" href="p/${name} &#xFC;.rpm"/>
  <format>
    <rpm:license>MIT</rpm:license>
    <rpm:vendor></rpm:vendor>
    <rpm:group>g</rpm:group>
    <rpm:buildhost>h</rpm:buildhost>
    <rpm:sourcerpm>${name}-1-1.src.rpm</rpm:sourcerpm>
    <rpm:header-range start="10" end="20"/>
    <rpm:provides>
      <rpm:entry name="${name}" flags="EQ" epoch="0" ver="1" rel="1"/>
    </rpm:provides>
    <rpm:requires>
      <rpm:entry name="sh" pre="1"/>
    </rpm:requires>
    <file type="dir">/etc/${name}</file>
  </format>
</package>
`;
}

function primaryXml(...packages: string[]): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<metadata xmlns="http://linux.duke.edu/metadata/common" ' +
    `xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="${packages.length}">\n${packages.join('')}</metadata>`
  );
}

function filelistsXml(...entries: Array<[string, string]>): string {
  const body = entries
    .map(([id, name]) => `<package pkgid="${id}" name="${name}" arch="noarch">\n  <version epoch="0" ver="1" rel="1"/>\n  <file type="dir">/etc/${name}</file>\n  <file>/usr/share/${name}/a</file>\n</package>\n`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<filelists xmlns="http://linux.duke.edu/metadata/filelists" packages="${entries.length}">\n${body}</filelists>`;
}

function otherXml(...entries: Array<[string, string]>): string {
  const body = entries
    .map(([id, name]) => `<package pkgid="${id}" name="${name}" arch="noarch">\n  <version epoch="0" ver="1" rel="1"/>\n  <changelog author="A &lt;a@x&gt;" date="100">- one</changelog>\n</package>\n`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<otherdata xmlns="http://linux.duke.edu/metadata/other" packages="${entries.length}">\n${body}</otherdata>`;
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** A stream delivering `text` a few bytes at a time, splitting tags and multi-byte characters. */
function trickle(text: string | Buffer): Readable {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
  return Readable.from(chunks);
}

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
afterAll(() => cleanup());

describe('readPrimary', () => {
  it('parses every field from a stream split at arbitrary bytes', async () => {
    let count: number | undefined;
    const [p] = await all(readPrimary(trickle(primaryXml(primaryPackage(ID1, 'foo'))), { onRoot: (r) => (count = r.packages) }));
    expect(count).toBe(1);
    expect(p).toEqual<PrimaryPackage>({
      name: 'foo',
      arch: 'noarch',
      epoch: '0',
      version: '1',
      release: '1',
      checksum: { type: 'sha256', value: ID1 },
      summary: 's & <t>',
      description: 'd\r\nx',
      packager: '',
      url: '',
      time: { file: 1, build: 2 },
      size: { package: 3, installed: 4, archive: 5 },
      location: { href: 'p/foo ü.rpm', base: 'http://mirror/base' },
      format: {
        license: 'MIT',
        vendor: '',
        group: 'g',
        buildhost: 'h',
        sourcerpm: 'foo-1-1.src.rpm',
        headerRange: { start: 10, end: 20 },
        provides: [{ name: 'foo', flags: 'EQ', epoch: '0', version: '1', release: '1' }],
        requires: [{ name: 'sh', pre: true }],
        conflicts: [],
        obsoletes: [],
        suggests: [],
        enhances: [],
        recommends: [],
        supplements: [],
      },
      files: [{ path: '/etc/foo', type: 'dir' }],
    });
  });

  it('reads compressed files by their ending and verifies their checksum and size', async () => {
    const xml = primaryXml(primaryPackage(ID1, 'a'), primaryPackage(ID2, 'b'));
    const xz = await compressBuffer('xz', xml);
    const path = join(dir, 'x-primary.xml.xz');
    await writeFile(path, xz);
    const expected = { checksum: hashBuffer(xz, 'sha256'), size: xz.length };
    expect((await all(readPrimary(path, { expected }))).map((p) => p.name)).toEqual(['a', 'b']);
    const bad = await failure(all(readPrimary(path, { expected: { checksum: hashBuffer('other', 'sha256') } })));
    expect(bad.code).toBe('E_CHECKSUM_MISMATCH');
    expect(bad.message).toContain('x-primary.xml.xz');
    const short = await failure(all(readPrimary(path, { expected: { size: xz.length + 1 } })));
    expect(short.code).toBe('E_SIZE_MISMATCH');
    // A stream is decompressed when told so.
    expect(await all(readPrimary(trickle(xz), { compression: 'xz', name: 'n' }))).toHaveLength(2);
  });

  it.each([
    ['an unclosed element', primaryXml(primaryPackage(ID1, 'a')).replace('</summary>', ''), 'p.xml is not valid XML at line 31: unexpected close tag'],
    ['a package without checksum', primaryXml(primaryPackage(ID1, 'a').replace(/ {2}<checksum.*\n/, '')), 'p.xml has a <package> without <checksum> at line 30'],
    ['a wrong root element', filelistsXml([ID1, 'a']), 'p.xml has root element <filelists>, expected <metadata> at line 2'],
    ['a bad number', primaryXml(primaryPackage(ID1, 'a').replace('package="3"', 'package="3x"')), 'p.xml has an invalid number "3x" at line 14'],
    ['an unknown flag', primaryXml(primaryPackage(ID1, 'a').replace('flags="EQ"', 'flags="XX"')), 'p.xml has an unknown dependency flag "XX" at line 24'],
    ['text after the root', primaryXml() + '<x/>', 'p.xml is not valid XML at line 3'],
    ['an empty file', '', 'p.xml is empty or has no root element'],
  ])('rejects %s with the file and line', async (_label, xml, message) => {
    const e = await failure(all(readPrimary(trickle(xml), { name: 'p.xml' })));
    expect(e.code).toBe('E_REPODATA_INVALID');
    expect(e.message).toContain(message);
    expect(e.target).toBe('p.xml');
  });

  it('rejects invalid UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from(primaryXml(primaryPackage(ID1, 'a')).slice(0, 300)), Buffer.from([0xff, 0xfe]), Buffer.from('</x>')]);
    const e = await failure(all(readPrimary(trickle(bytes), { name: 'p.xml' })));
    expect(e.message).toMatch(/^p\.xml is not valid UTF-8 at line \d+$/);
  });

  it('reports truncated compressed files as compression errors', async () => {
    const gz = await compressBuffer('gz', primaryXml(primaryPackage(ID1, 'a'), primaryPackage(ID2, 'b')));
    const path = join(dir, 'cut-primary.xml.gz');
    await writeFile(path, gz.subarray(0, gz.length - 20));
    const e = await failure(all(readPrimary(path)));
    expect(e.code).toBe('E_COMPRESSION');
    expect(e.message).toContain('cut-primary.xml.gz is not valid gzip data');
  });

  it('propagates failures of the source and lets the consumer stop early', async () => {
    const gz = await compressBuffer('gz', primaryXml(primaryPackage(ID1, 'a'), primaryPackage(ID2, 'b')));
    async function* broken(first: Buffer): AsyncGenerator<Buffer> {
      yield first;
      throw new Error('connection reset');
    }
    await expect(all(readPrimary(broken(Buffer.from(primaryXml().slice(0, 50)))))).rejects.toThrow('connection reset');
    await expect(all(readPrimary(broken(gz.subarray(0, 10)), { compression: 'gz' }))).rejects.toThrow('connection reset');
    const path = join(dir, 'early-primary.xml.gz');
    await writeFile(path, gz);
    for await (const p of readPrimary(path, { expected: { size: gz.length } })) {
      expect(p.name).toBe('a');
      break;
    }
  });

  it('names a missing file', async () => {
    const e = await failure(all(readPrimary(join(dir, 'none.xml.gz'))));
    expect(e.code).toBe('E_IO');
    expect(e.message).toContain('none.xml.gz');
  });
});

describe('readFilelists and readOther', () => {
  it('yield files and changelogs keyed by pkgid', async () => {
    expect(await all(readFilelists(trickle(filelistsXml([ID1, 'a']))))).toEqual<FilelistsPackage[]>([
      { pkgid: ID1, name: 'a', arch: 'noarch', epoch: '0', version: '1', release: '1', files: [{ path: '/etc/a', type: 'dir' }, { path: '/usr/share/a/a', type: 'file' }] },
    ]);
    expect(await all(readOther(trickle(otherXml([ID1, 'a']))))).toEqual<OtherPackage[]>([
      { pkgid: ID1, name: 'a', arch: 'noarch', epoch: '0', version: '1', release: '1', changelogs: [{ author: 'A <a@x>', date: 100, text: '- one' }] },
    ]);
  });

  it('build nothing of the packages not in pkgids, yet still parse them (and still need a pkgid)', async () => {
    // ID2's entries would fail if anything were made of them: a changelog date that is no number, no <version>.
    const other = otherXml([ID1, 'a'], [ID2, 'b']).replace('date="100">- one</changelog>\n</package>\n</otherdata>', 'date="soon">- one</changelog>\n</package>\n</otherdata>');
    const files = filelistsXml([ID2, 'b'], [ID1, 'a']).replace('<version epoch="0" ver="1" rel="1"/>', '');
    const only = new Set([ID1]);
    expect((await all(readOther(trickle(other), { pkgids: only }))).map((p) => [p.pkgid, p.changelogs.length])).toEqual([[ID1, 1]]);
    expect((await all(readFilelists(trickle(files), { pkgids: only }))).map((p) => [p.pkgid, p.files.length])).toEqual([[ID1, 2]]);
    await expect(all(readOther(trickle(other), { name: 'o.xml' }))).rejects.toMatchObject({ message: 'o.xml has an invalid changelog date "soon" at line 9' });
    await expect(all(readFilelists(trickle(files), { name: 'f.xml' }))).rejects.toMatchObject({ message: expect.stringContaining(`f.xml has a <package> (${ID2}) without <version>`) });
    await expect(all(readOther(trickle(`${other.slice(0, -'</otherdata>'.length)}<x>`), { pkgids: only, name: 'o.xml' }))).rejects.toMatchObject({ code: 'E_REPODATA_INVALID' });
    const anonymous = otherXml([ID1, 'a'], [ID2, 'b']).replace(`pkgid="${ID2}" `, '');
    await expect(all(readOther(trickle(anonymous), { pkgids: only, name: 'o.xml' }))).rejects.toMatchObject({ message: 'o.xml has a <package> without a pkgid at line 7' });
  });

  it('reject a package without pkgid', async () => {
    const e = await failure(all(readOther(trickle(otherXml([ID1, 'a']).replace(`pkgid="${ID1}" `, '')), { name: 'o.xml' })));
    expect(e.message).toBe('o.xml has a <package> without a pkgid at line 3');
  });
});

describe('mergePackages', () => {
  const primary = () => readPrimary(trickle(primaryXml(primaryPackage(ID1, 'a'), primaryPackage(ID2, 'b'))));

  it('joins the three files, also when filelists and other come in another order', async () => {
    const merged = await all(mergePackages(primary(), readFilelists(trickle(filelistsXml([ID2, 'b'], [ID1, 'a']))), readOther(trickle(otherXml([ID1, 'a'], [ID2, 'b'])))));
    expect(merged.map((p) => [p.name, p.files.length, p.changelogs.length])).toEqual([
      ['a', 2, 1],
      ['b', 2, 1],
    ]);
  });

  it('keeps primary files and no changelogs without filelists and other', async () => {
    const merged = await all(mergePackages(primary()));
    expect(merged[0]!.files).toEqual([{ path: '/etc/a', type: 'dir' }]);
    expect(merged[0]!.changelogs).toEqual([]);
  });

  it('rejects files that do not belong together', async () => {
    const missing = await failure(all(mergePackages(primary(), readFilelists(trickle(filelistsXml([ID1, 'a']))))));
    expect(missing.message).toBe(`filelists.xml has no entry for b-1-1.noarch (pkgid ${ID2}) listed in primary.xml`);
    const extra = await failure(all(mergePackages(primary(), undefined, readOther(trickle(otherXml([ID1, 'a'], [ID2, 'b'], ['3'.repeat(64), 'c']))))));
    expect(extra.message).toBe(`other.xml lists c (pkgid ${'3'.repeat(64)}), which primary.xml does not have`);
    const renamed = await failure(all(mergePackages(primary(), readFilelists(trickle(filelistsXml([ID1, 'z'], [ID2, 'b']))))));
    expect(renamed.message).toContain('describes pkgid');
  });
});
