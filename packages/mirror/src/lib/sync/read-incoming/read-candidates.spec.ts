import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { hashBuffer, readPrimary, writeRepodata, type PackageRecord, type PrimaryPackage } from '@ovirt-repo/core';
import type { Candidate } from '../shared/candidates.js';
import { makeTempDir } from '@ovirt-repo/test-support';
import { parseLocation } from '../../source/location.js';
import { poolHref } from '../../store/layout.js';
import { sampleRecord } from '../shared/sample-record.spec.helper.js';
import type { Spool } from '../shared/spool.js';
import { spoolIn } from '../shared/work-area.js';
import { PrimaryRecords, readCandidates } from './read-candidates.js';

async function primaryOf(packages: PackageRecord[]) {
  const { dir } = await makeTempDir('candidates-');
  const summary = await writeRepodata({ outDir: join(dir, 'repodata'), packages, revision: '1', fsync: false, env: {} });
  const record = summary.records.find((r) => r.type === 'primary')!;
  return { dir, file: { path: join(dir, record.location.href), record, display: record.location.href } };
}

const spools: Spool[] = [];
afterAll(() => spools.forEach((s) => s.close()));

/** Where pass 1 keeps the records of the candidates `fromSource` names. */
async function recordsFor(fromSource: (c: Candidate) => boolean = () => true): Promise<PrimaryRecords> {
  const area = { dir: (await makeTempDir('records-')).dir, spools };
  return new PrimaryRecords(await spoolIn(area, 'records'), fromSource);
}

describe('readCandidates', () => {
  const packages = [
    sampleRecord('alpha'),
    sampleRecord('beta', { location: { href: 'Packages/b/beta & ü.rpm', base: 'https://mirror.example.com/el9/' } }),
    sampleRecord('gamma', { epoch: '2' }),
  ];

  it('turns every package into a candidate: its pool href, where to get it, its validated name', async () => {
    const { dir, file } = await primaryOf(packages);
    const candidates = await readCandidates(file, parseLocation(dir), 3, await recordsFor());
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
    expect((await readCandidates({ ...file, record }, location, 0, await recordsFor())).map((c) => c.name)).toEqual(['alpha', 'beta', 'gamma']);
    await writeFile(file.path, Buffer.concat([other, Buffer.from('x')]));
    await expect(readCandidates({ ...file, record }, location, 0, await recordsFor())).rejects.toMatchObject({ code: expect.stringMatching(/^E_/), message: expect.stringContaining(file.display) });
  });

  it('keeps the primary records of the candidates named, as the reader parsed them, and only those', async () => {
    const { dir, file } = await primaryOf(packages);
    const records = await recordsFor((c) => c.name !== 'beta');
    const candidates = await readCandidates(file, parseLocation(dir), 0, records);
    const parsed: PrimaryPackage[] = [];
    for await (const p of readPrimary(file.path)) parsed.push(p);
    expect(records.recordOf(candidates[0]!)).toEqual(parsed[0]);
    expect(records.recordOf(candidates[2]!)).toEqual(parsed[2]);
    expect(() => records.recordOf(candidates[1]!)).toThrow(/no primary record kept for 0 pool\//);
  });
});
