import { hashBuffer } from '../checksum/index.js';
import type { PackageRecord } from './model.js';

/** Package `i` of a small synthetic repo, with text that needs escaping in every field that can hold it. */
export function makePackage(i: number, overrides: Partial<PackageRecord> = {}): PackageRecord {
  const name = `pkg-${i}`;
  return {
    name,
    arch: i % 2 ? 'x86_64' : 'noarch',
    epoch: String(i % 3),
    version: `1.${i}`,
    release: '1.el9',
    checksum: { type: 'sha256', value: hashBuffer(name, 'sha256').value },
    summary: `Summary ${i} <&> "q" ü`,
    description: `Line one\r\nline\ttwo ${'x'.repeat(i % 50)}`,
    packager: 'Packager <p@example.com>',
    url: i % 2 ? '' : 'https://example.com/?a=1&b=2',
    time: { file: 1700000000 + i, build: 1690000000 + i },
    size: { package: 1000 + i, installed: 5000 + i, archive: 6000 + i },
    location: { href: `Packages/${name[0]}/${name} ü&x.rpm` },
    format: {
      license: 'GPLv2+ & MIT',
      vendor: 'oVirt',
      group: 'Unspecified',
      buildhost: 'builder',
      sourcerpm: `${name}-1.${i}-1.el9.src.rpm`,
      headerRange: { start: 4504, end: 7805 + i },
      provides: [{ name, flags: 'EQ', epoch: String(i % 3), version: `1.${i}`, release: '1.el9' }],
      requires: [
        { name: '/bin/sh', pre: true },
        { name: 'libc.so.6(GLIBC_2.34)(64bit)' },
        { name: 'dep', flags: 'GE', epoch: '0', version: '2' },
      ],
      conflicts: [],
      obsoletes: i % 5 === 0 ? [{ name: 'old', flags: 'LT', epoch: '0', version: '1', release: '0' }] : [],
      suggests: [],
      enhances: [],
      recommends: [{ name: '(a or b)' }],
      supplements: [],
    },
    files: [
      { path: `/etc/${name}`, type: 'dir' },
      { path: `/etc/${name}/conf`, type: 'file' },
      { path: `/usr/bin/${name}`, type: 'file' },
      { path: `/usr/share/${name}/data file & <x> ü`, type: 'file' },
      { path: `/var/log/${name}.log`, type: 'ghost' },
    ],
    changelogs: [
      { author: 'Jöhn <j@x> - 1.0-1', date: 1600000000, text: '- first' },
      { author: 'Tab\tAuthor', date: 1600000001, text: '- second & <more>' },
    ],
    ...overrides,
  };
}
