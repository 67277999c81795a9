import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordLines, packageLine, recordBody, recordFileText } from './record-file.js';
import type { SnapshotPackage, SnapshotRecord } from './snapshot-record.js';

const pkg = (name: string, file = `${name}-1.0-1.noarch.rpm`): SnapshotPackage => ({
  name,
  epoch: '0',
  version: '1.0',
  release: '1',
  arch: 'noarch',
  href: `pool/ab/${'ab'.padEnd(64, '0')}/${file}`,
  checksumType: 'sha256',
  digest: 'ab'.padEnd(64, '0'),
  size: name.length,
});

const record = (packages: SnapshotPackage[]): SnapshotRecord => ({
  format: 1,
  repo: 'exp',
  id: '20261204T000000.000Z',
  createdAt: '2026-12-04T00:00:00.000Z',
  mode: 'additive',
  options: {},
  optionsDigest: 'd',
  // A source whose URL holds what the layout is made of: quotes, brackets, a line break, the marker itself.
  sources: [{ url: 'file:///x/"packages":[\n]}', kind: 'baseurl', baseUrl: 'file:///x/', repomdSha256: 'r' }],
  repomdSha256: 'm',
  contentDigest: 'c',
  extraMetadata: [],
  modular: false,
  stats: { packages: packages.length, bytes: 0 },
  packages,
});

let dir: string;
beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'record-file-'))));
afterEach(() => rm(dir, { recursive: true, force: true }));

async function roundTrip(r: SnapshotRecord): Promise<RecordLines | undefined> {
  await writeFile(join(dir, 'snapshot.json'), recordFileText(r));
  return RecordLines.open(dir);
}

describe('snapshot.json one package a line', () => {
  const packages = [pkg('alpha'), pkg('ünïcödé', 'ünïcödé-1.0-1.noarch.rpm'), pkg('quote"d'), pkg('omega')];

  it('is plain JSON, read back whole by JSON.parse', async () => {
    const text = recordFileText(record(packages)).toString('utf8');
    expect(JSON.parse(text)).toEqual(record(packages));
    // The head, a line each, the close.
    expect(text.trimEnd().split('\n')).toHaveLength(packages.length + 2);
  });

  it('gives each package, its href and runs of lines, without parsing the others', async () => {
    const lines = (await roundTrip(record(packages)))!;
    const { packages: _p, ...head } = record(packages);
    expect(lines.head).toEqual(head);
    expect(lines.length).toBe(packages.length);
    packages.forEach((p, i) => expect(lines.at(i)).toEqual(p));
    // Non-ASCII and escaped text is read exactly (the fast way only takes plain ASCII).
    expect(lines.hrefs()).toEqual(packages.map((p) => p.href));
    expect(lines.run(1, 3).toString('utf8')).toBe(`${packageLine(packages[1]!)},\n${packageLine(packages[2]!)}`);
    // Runs and new lines make the next record's body.
    const body = Buffer.concat(recordBody([lines.run(0, 2), packageLine(pkg('beta')), lines.run(2, 4)])).toString('utf8');
    expect(JSON.parse(`{"packages":[\n${body}`).packages).toEqual([...packages.slice(0, 2), pkg('beta'), ...packages.slice(2)]);
  });

  it('handles an empty package list', async () => {
    const lines = (await roundTrip(record([])))!;
    expect(lines.length).toBe(0);
    expect(lines.hrefs()).toEqual([]);
    expect(JSON.parse(`{"packages":[\n${Buffer.concat(recordBody([])).toString()}`).packages).toEqual([]);
  });

  it('is not taken for a record in another layout, or none', async () => {
    expect(await RecordLines.open(dir)).toBeUndefined();
    await writeFile(join(dir, 'snapshot.json'), `${JSON.stringify(record(packages), null, 1)}\n`);
    expect(await RecordLines.open(dir)).toBeUndefined();
    await writeFile(join(dir, 'snapshot.json'), recordFileText(record(packages)).subarray(0, -2));
    expect(await RecordLines.open(dir)).toBeUndefined();
  });
});
