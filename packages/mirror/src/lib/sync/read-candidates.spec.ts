import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashBuffer, writeRepodata, type PackageRecord } from '@ovirt-repo/core';
import { makeTempDir } from '@ovirt-repo/test-support';
import { parseLocation } from '../source/location.js';
import { readCandidates } from './read-candidates.js';
import { sampleRecord } from './sample-record.spec.helper.js';

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

  it('reads by layout exactly what the XML parser reads, and keeps each entry', async () => {
    const { dir, file } = await primaryOf(packages);
    const location = parseLocation(dir);
    const parsed = await readCandidates(file, location, 0);
    const byLayout = await readCandidates(file, location, 0, { byLayout: true });
    expect(parsed.entries).toBeUndefined();
    expect(byLayout.records).toBeUndefined();
    expect(byLayout.candidates).toEqual(parsed.candidates);
    expect([...(byLayout.entries?.keys() ?? [])]).toEqual(packages.map((p) => p.checksum.value));
  });

  it('falls back to the parser for another layout, and still reports bad metadata in its words', async () => {
    const { dir, file } = await primaryOf(packages);
    const location = parseLocation(dir);
    // Same data, another layout (one space more of indentation), consistent checksums: parsed, not split.
    const { gzipSync, gunzipSync } = await import('node:zlib');
    const { readFile } = await import('node:fs/promises');
    const other = gzipSync(gunzipSync(await readFile(file.path)).toString().replaceAll('\n  <name>', '\n   <name>'));
    await writeFile(file.path, other);
    const record = { ...file.record, checksum: { type: 'sha256' as const, value: hashBuffer(other, 'sha256').value }, size: other.length };
    const read = await readCandidates({ ...file, record }, location, 0, { byLayout: true });
    expect(read.entries).toBeUndefined();
    expect(read.candidates.map((c) => c.name)).toEqual(['alpha', 'beta', 'gamma']);
    // A damaged file: the parser's own error, not a silent fallback nor another message.
    await writeFile(file.path, Buffer.concat([other, Buffer.from('x')]));
    const parserError = await readCandidates({ ...file, record }, location, 0).catch((e: unknown) => e);
    expect(parserError).toMatchObject({ code: expect.stringMatching(/^E_/) });
    await expect(readCandidates({ ...file, record }, location, 0, { byLayout: true })).rejects.toEqual(parserError);
  });
});
