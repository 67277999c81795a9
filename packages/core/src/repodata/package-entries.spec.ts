import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@ovirt-repo/test-support';
import { decompressBuffer } from '../compress/index.js';
import type { PackageRecord } from './model.js';
import { filelistsPackageXml, otherPackageXml, primaryPackageXml } from './package-xml.js';
import { primaryEntryKey, splitPackageEntries, type RenderedPackage } from './package-entries.js';
import { writeRepodata } from './writer.js';
import { makePackage } from './sample-package.spec.helper.js';
import type { CoreRecordType } from './repomd-model.js';

const TYPES: CoreRecordType[] = ['primary', 'filelists', 'other'];

async function writeAndRead(dir: string, packages: Array<PackageRecord | RenderedPackage>): Promise<Record<CoreRecordType, { text: string; bytes: Buffer }>> {
  await writeRepodata({ outDir: dir, packages, revision: '1', fsync: false, env: {} });
  const names = await readdir(dir);
  const out = {} as Record<CoreRecordType, { text: string; bytes: Buffer }>;
  for (const type of TYPES) {
    const name = names.find((n) => n.endsWith(`-${type}.xml.gz`));
    const bytes = await readFile(join(dir, name ?? 'missing'));
    out[type] = { bytes, text: (await decompressBuffer('gz', bytes)).toString('utf8') };
  }
  return out;
}

describe('splitPackageEntries', () => {
  // Text that looks like markup must not end an entry early: the writer escapes it.
  const packages = [
    makePackage(1),
    makePackage(2, { description: 'fake </package>\n<package type="rpm">\n end', location: { href: 'a "quoted" & <odd>.rpm' } }),
    makePackage(3, { changelogs: [{ author: 'x', date: 1, text: '</package>\n' }], files: [] }),
  ];

  it('gives back, for each package, exactly the entries the writer rendered', async () => {
    const files = await writeAndRead((await makeTempDir('entries-')).dir, packages);
    const primary = splitPackageEntries('primary', files.primary.text);
    const filelists = splitPackageEntries('filelists', files.filelists.text);
    const other = splitPackageEntries('other', files.other.text);
    expect(primary?.size).toBe(3);
    for (const p of packages) {
      expect(primary?.get(primaryEntryKey(p.location.href))).toBe(primaryPackageXml(p));
      expect(filelists?.get(p.checksum.value)).toBe(filelistsPackageXml(p));
      expect(other?.get(p.checksum.value)).toBe(otherPackageXml(p));
    }
  });

  it('writing the split entries back gives byte-identical files', async () => {
    const original = await writeAndRead((await makeTempDir('entries-')).dir, packages);
    const maps = Object.fromEntries(TYPES.map((t) => [t, splitPackageEntries(t, original[t].text)]));
    const rendered: RenderedPackage[] = packages.map((p) => ({
      rendered: {
        primary: maps.primary?.get(primaryEntryKey(p.location.href)) ?? '',
        filelists: maps.filelists?.get(p.checksum.value) ?? '',
        other: maps.other?.get(p.checksum.value) ?? '',
      },
    }));
    const again = await writeAndRead((await makeTempDir('entries-')).dir, rendered);
    for (const type of TYPES) expect(again[type].bytes.equals(original[type].bytes)).toBe(true);
  });

  it('handles a repo without packages', async () => {
    const files = await writeAndRead((await makeTempDir('entries-')).dir, []);
    for (const type of TYPES) expect(splitPackageEntries(type, files[type].text)?.size).toBe(0);
  });

  it('refuses any layout but its own, so the caller parses the file instead', async () => {
    const { primary, other } = await writeAndRead((await makeTempDir('entries-')).dir, packages);
    const text = primary.text;
    const variants = {
      'another count': text.replace('packages="3"', 'packages="4"'),
      'fewer entries than counted': text.replace('packages="3"', 'packages="2"'),
      'another namespace declared': text.replace('xmlns:rpm=', 'xmlns:x="urn:x" xmlns:rpm='),
      'no trailing footer': text.slice(0, -1),
      'single quotes': text.replace('<location href="', "<location href='"),
      'content after the footer': `${text}\n`,
      'truncated': text.slice(0, text.length / 2),
      'CRLF line ends': text.replaceAll('\n', '\r\n'),
    };
    for (const [what, variant] of Object.entries(variants)) {
      expect([what, splitPackageEntries('primary', variant)]).toEqual([what, undefined]);
    }
    expect(splitPackageEntries('other', text)).toBeUndefined();
    expect(splitPackageEntries('primary', other.text)).toBeUndefined();
  });
});
