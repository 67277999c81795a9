import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { hashBuffer, writeRepodata, type PackageRecord } from '@ovirt-repo/core';
import { makeTempDir } from '@ovirt-repo/test-support';
import { parseLocation } from '../../source/location.js';
import { poolHref } from '../../store/layout.js';
import { sampleRecord } from '../shared/sample-record.spec.helper.js';
import { readCandidates } from './read-candidates.js';

async function primaryOf(packages: PackageRecord[]) {
  const { dir } = await makeTempDir('candidates-');
  const summary = await writeRepodata({ outDir: join(dir, 'repodata'), packages, revision: '1', fsync: false, env: {} });
  const record = summary.records.find((r) => r.type === 'primary')!;
  return { dir, file: { path: join(dir, record.location.href), record, display: record.location.href } };
}

describe('readCandidates', () => {
  const packages = [
    sampleRecord('alpha'),
    sampleRecord('beta', { location: { href: 'Packages/b/beta & ü.rpm', base: 'https://mirror.example.com/el9/' } }),
    sampleRecord('gamma', { epoch: '2' }),
  ];

  it('turns every package into a candidate: its pool href, where to get it, its validated name', async () => {
    const { dir, file } = await primaryOf(packages);
    const candidates = await readCandidates(file, parseLocation(dir), 3);
    expect(candidates.map((c) => [c.name, c.epoch, c.origin, c.fileName, c.poolHref, c.url.href])).toEqual([
      ['alpha', '0', 3, 'alpha-1.0-1.noarch.rpm', poolHref(packages[0]!.checksum.value, 'alpha-1.0-1.noarch.rpm'), `file://${dir}/Packages/alpha-1.0-1.noarch.rpm`],
      ['beta', '0', 3, 'beta & ü.rpm', poolHref(packages[1]!.checksum.value, 'beta & ü.rpm'), 'https://mirror.example.com/el9/Packages/b/beta%20%26%20%C3%BC.rpm'],
      ['gamma', '2', 3, 'gamma-1.0-1.noarch.rpm', poolHref(packages[2]!.checksum.value, 'gamma-1.0-1.noarch.rpm'), `file://${dir}/Packages/gamma-1.0-1.noarch.rpm`],
    ]);
  });

  it('reads a primary.xml in any layout, and reports a damaged one in the parser\'s words', async () => {
    const { dir, file } = await primaryOf(packages);
    const location = parseLocation(dir);
    // Same data, another layout (one space more of indentation), consistent checksums.
    const other = gzipSync(gunzipSync(await readFile(file.path)).toString().replaceAll('\n  <name>', '\n   <name>'));
    await writeFile(file.path, other);
    const record = { ...file.record, checksum: { type: 'sha256' as const, value: hashBuffer(other, 'sha256').value }, size: other.length };
    expect((await readCandidates({ ...file, record }, location, 0)).map((c) => c.name)).toEqual(['alpha', 'beta', 'gamma']);
    await writeFile(file.path, Buffer.concat([other, Buffer.from('x')]));
    await expect(readCandidates({ ...file, record }, location, 0)).rejects.toMatchObject({ code: expect.stringMatching(/^E_/), message: expect.stringContaining(file.display) });
  });
});
