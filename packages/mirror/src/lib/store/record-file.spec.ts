import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { FileRange } from '@ovirt-repo/core';
import { packageLine, recordBody, recordFileText } from './record-file.js';
import { RecordLines } from './record-lines.js';
import { sampleSnapshotRecord } from './sample-snapshot-record.spec.helper.js';
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

// A source whose URL holds what the layout is made of: quotes, brackets, a line break, the marker itself.
const record = (packages: SnapshotPackage[]): SnapshotRecord =>
  sampleSnapshotRecord(packages, [{ url: 'file:///x/"packages":[\n]}', kind: 'baseurl', baseUrl: 'file:///x/', repomdSha256: 'r' }]);

let dir: string;
beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'record-file-'))));
afterEach(() => rm(dir, { recursive: true, force: true }));

const opened: RecordLines[] = [];
afterEach(() => opened.splice(0).forEach((l) => l.close()));

async function roundTrip(r: SnapshotRecord): Promise<RecordLines | undefined> {
  await writeFile(join(dir, 'snapshot.json'), recordFileText(r));
  const lines = await RecordLines.open(dir);
  if (lines) opened.push(lines);
  return lines;
}

/** What a run names, read from its file. */
function text(range: FileRange): string {
  return readFileSync(join(dir, 'snapshot.json')).toString('utf8', range.offset, range.offset + range.length);
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
    expect(text(lines.run(1, 3))).toBe(`${packageLine(packages[1]!)},\n${packageLine(packages[2]!)}`);
    // Runs and new lines make the next record's body.
    const body = recordBody([lines.run(0, 2), packageLine(pkg('beta')), lines.run(2, 4)])
      .map((p) => (p instanceof Uint8Array ? Buffer.from(p).toString('utf8') : text(p)))
      .join('');
    expect(JSON.parse(`{"packages":[\n${body}`).packages).toEqual([...packages.slice(0, 2), pkg('beta'), ...packages.slice(2)]);
  });

  it('handles an empty package list', async () => {
    const lines = (await roundTrip(record([])))!;
    expect(lines.length).toBe(0);
    expect(lines.hrefs()).toEqual([]);
    expect(JSON.parse(`{"packages":[\n${Buffer.concat(recordBody([]) as Uint8Array[]).toString()}`).packages).toEqual([]);
  });

  it('is not taken for a record in another layout, or none', async () => {
    expect(await RecordLines.open(dir)).toBeUndefined();
    await writeFile(join(dir, 'snapshot.json'), `${JSON.stringify(record(packages), null, 1)}\n`);
    expect(await RecordLines.open(dir)).toBeUndefined();
    await writeFile(join(dir, 'snapshot.json'), recordFileText(record(packages)).subarray(0, -2));
    expect(await RecordLines.open(dir)).toBeUndefined();
  });
});
