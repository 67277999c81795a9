import { parsePrimaryEntry } from './package-entries.js';
import { primaryPackageXml } from './package-xml.js';
import { summarizePrimaryEntry } from './primary-summary.js';
import { makePackage } from './sample-package.spec.helper.js';

/** What the XML reader gives for the fields the summary has. */
async function parsedFields(entry: string) {
  const p = await parsePrimaryEntry(entry, 'entry');
  return { name: p.name, arch: p.arch, epoch: p.epoch, version: p.version, release: p.release, checksum: p.checksum, size: { package: p.size.package }, time: { file: p.time.file }, location: p.location };
}

describe('summarizePrimaryEntry', () => {
  const variants = {
    plain: makePackage(1),
    'escapes and non-ASCII in every field': makePackage(2, {
      name: 'a&b<c>"d"',
      version: '1.0~ü',
      release: '1&2',
      location: { href: 'Packages/ü & "x" <y>.rpm', base: 'https://mirror.example.com/a?b=1&c=2' },
    }),
    'empty epoch': makePackage(3, { epoch: '' }),
    'astral character': makePackage(4, { location: { href: 'Packages/\u{1F600}.rpm' } }),
  };

  it.each(Object.entries(variants))('reads what the XML reader reads: %s', async (_label, p) => {
    const entry = primaryPackageXml(p);
    expect(summarizePrimaryEntry(entry)).toEqual(await parsedFields(entry));
  });

  it('reads numeric references and an upper-case digest as a parser would', async () => {
    const entry = primaryPackageXml(makePackage(5)).replace(/pkgid="YES">([0-9a-f]+)</, (_m, d: string) => `pkgid="YES">${d.toUpperCase()}<`).replace('<name>pkg-5', '<name>pkg&#45;&#x35;');
    expect(summarizePrimaryEntry(entry)).toEqual(await parsedFields(entry));
    expect(summarizePrimaryEntry(entry)?.name).toBe('pkg-5');
  });

  it('leaves anything unexpected to the XML reader', () => {
    const entry = primaryPackageXml(makePackage(6));
    const odd = {
      'a stray ampersand': entry.replace('<name>pkg-6', '<name>pkg&6'),
      'an unknown entity': entry.replace('<name>pkg-6', '<name>pkg&nbsp;6'),
      'a reference to a character XML forbids': entry.replace('<name>pkg-6', '<name>pkg&#1;6'),
      'a raw tab in an attribute (parsers normalise it)': entry.replace('ver="1.6"', 'ver="1.\t6"'),
      'another element order': entry.replace(/( {2}<name>.*\n)( {2}<arch>.*\n)/, '$2$1'),
      'an unknown checksum type': entry.replace('type="sha256" pkgid', 'type="crc32" pkgid'),
      'an empty href': entry.replace(/<location href="[^"]*"/, '<location href=""'),
      'single-quoted attributes': entry.replace('<version epoch="', "<version epoch='").replace('" ver=', "' ver="),
    };
    for (const [what, variant] of Object.entries(odd)) {
      expect(variant).not.toBe(entry);
      expect([what, summarizePrimaryEntry(variant)]).toEqual([what, undefined]);
    }
  });
});
