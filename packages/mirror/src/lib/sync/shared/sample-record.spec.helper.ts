import { hashBuffer, type PackageRecord } from '@ovirt-repo/core';

/** A small package record (one file, one changelog entry) whose checksum is derived from its name. */
export function sampleRecord(name: string, overrides: Partial<PackageRecord> = {}): PackageRecord {
  const digest = hashBuffer(name, 'sha256').value;
  return {
    name,
    arch: 'noarch',
    epoch: '0',
    version: '1.0',
    release: '1',
    checksum: { type: 'sha256', value: digest },
    summary: `${name} summary`,
    description: `${name} description`,
    packager: '',
    url: '',
    time: { file: 1, build: 2 },
    size: { package: 100, installed: 200, archive: 300 },
    location: { href: `Packages/${name}-1.0-1.noarch.rpm` },
    format: {
      license: 'MIT',
      vendor: '',
      group: '',
      buildhost: '',
      sourcerpm: '',
      headerRange: { start: 1, end: 2 },
      provides: [],
      requires: [],
      conflicts: [],
      obsoletes: [],
      suggests: [],
      enhances: [],
      recommends: [],
      supplements: [],
    },
    files: [{ path: `/usr/share/${name}/README`, type: 'file' }],
    changelogs: [{ author: 'me', date: 3, text: `- ${name}` }],
    ...overrides,
  };
}
