import type { RepomdRecord } from '@ovirt-repo/core';
import { extraHref } from './extra-metadata.js';

describe('extraHref', () => {
  const checksum = 'AB'.repeat(32);
  const record = (type: string, href: string): RepomdRecord => ({ type, location: { href }, checksum: { type: 'sha256', value: checksum } });

  it('keeps a tame name behind the checksum, replacing the one the source put there', () => {
    expect(extraHref(record('updateinfo', `repodata/${'1'.repeat(64)}-updateinfo.xml.gz`))).toBe(`repodata/${checksum.toLowerCase()}-updateinfo.xml.gz`);
  });

  it('never publishes a dot-name (web servers hide it) or an over-long name: the type with the endings instead', () => {
    expect(extraHref(record('group', 'repodata/.comps.xml'))).toBe(`repodata/${checksum.toLowerCase()}-group.xml`);
    expect(extraHref(record('group', `repodata/${'c'.repeat(250)}.xml.gz`))).toBe(`repodata/${checksum.toLowerCase()}-group.xml.gz`);
  });
});
