import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordFileText } from './record-file.js';
import { RecordLines } from './record-lines.js';
import { sampleSnapshotRecord } from './sample-snapshot-record.spec.helper.js';
import type { SnapshotPackage, SnapshotRecord } from './snapshot-record.js';

/*
 * RecordLines leaves snapshot.json on disk and reads lines through a block of 64 KiB: these cases cross
 * blocks, exceed one, and give it line starts that fit the file or do not.
 */

const pkg = (i: number, name = `pkg-${String(i).padStart(5, '0')}`): SnapshotPackage => ({
  name,
  epoch: '0',
  version: '1.0',
  release: String(i),
  arch: 'noarch',
  href: `pool/${String(i % 256).padStart(2, '0')}/${String(i).padStart(64, '0')}/${name}-1.0-${i}.noarch.rpm`,
  checksumType: 'sha256',
  digest: String(i).padStart(64, '0'),
  size: i,
});

const record = (packages: SnapshotPackage[], sources = 1): SnapshotRecord =>
  sampleSnapshotRecord(
    packages,
    Array.from({ length: sources }, (_, i) => ({ url: `https://mirror.example.org/${'x'.repeat(200)}/${i}/`, kind: 'baseurl' as const, baseUrl: 'https://mirror.example.org/', repomdSha256: 'r' })),
  );

let dir: string;
const opened: RecordLines[] = [];
beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'record-lines-'))));
afterEach(async () => {
  opened.splice(0).forEach((l) => l.close());
  await rm(dir, { recursive: true, force: true });
});

async function openRecord(r: SnapshotRecord, known?: Int32Array): Promise<RecordLines> {
  await writeFile(join(dir, 'snapshot.json'), recordFileText(r));
  const lines = await RecordLines.open(dir, known);
  if (!lines) throw new Error('not opened');
  opened.push(lines);
  return lines;
}

describe('RecordLines, read from disk', () => {
  const many = Array.from({ length: 3000 }, (_, i) => pkg(i));

  it('reads every line across blocks, in order and out of it', async () => {
    const lines = await openRecord(record(many));
    expect(lines.length).toBe(3000);
    expect(lines.knownStarts).toBe(false);
    expect(lines.hrefs()).toEqual(many.map((p) => p.href));
    // Backwards and scattered: every block read again as needed.
    for (const i of [2999, 0, 1500, 1499, 2500, 7, 2998]) expect(lines.at(i)).toEqual(many[i]);
  });

  it('takes line starts that fit the file, and scans it for any that do not', async () => {
    const scanned = await openRecord(record(many));
    const known = scanned.bodyStarts();
    const fitting = await openRecord(record(many), known);
    expect(fitting.knownStarts).toBe(true);
    expect(fitting.hrefs()).toEqual(many.map((p) => p.href));
    const misfits = [
      known.map((s, i) => (i === 1500 ? s + 3 : s)),
      known.subarray(0, -1),
      known.map((s, i) => (i === 10 ? (known[9] as number) : s)),
      known.map((s, i) => (i === known.length - 1 ? s - 1 : s)),
      new Int32Array([0]),
    ];
    for (const wrong of misfits) {
      const lines = await openRecord(record(many), wrong);
      expect(lines.knownStarts).toBe(false);
      expect(lines.hrefs()).toEqual(many.map((p) => p.href));
    }
  });

  it('reads a line longer than a block, and a head longer than its first read', async () => {
    const packages = [pkg(0), pkg(1, `long-${'n'.repeat(100_000)}`), pkg(2)];
    const lines = await openRecord(record(packages, 400));
    expect(lines.head.sources).toHaveLength(400);
    expect(lines.at(1)).toEqual(packages[1]);
    expect(lines.hrefs()).toEqual(packages.map((p) => p.href));
    expect(lines.at(2)).toEqual(packages[2]);
  });

  it('gives runs as ranges of its file, which stays open until closed', async () => {
    const lines = await openRecord(record(many));
    const range = lines.run(10, 20);
    expect(range.length).toBeGreaterThan(0);
    expect(lines.runStarts(10, 20)).toHaveLength(10);
    lines.close();
    opened.length = 0;
    expect(() => lines.at(2000)).toThrow();
  });
});
