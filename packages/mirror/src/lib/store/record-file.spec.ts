import { packageLine, recordFileText, recordPieces, recordStream, RecordText } from './record-file.js';
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

const path = '/store/yum/exp/1/snapshot.json';

describe('snapshot.json one package a line', () => {
  const packages = [pkg('alpha'), pkg('ünïcödé', 'ünïcödé-1.0-1.noarch.rpm'), pkg('quote"d'), pkg('omega')];

  it('is plain JSON, read back whole by JSON.parse, its head alone on the first line', () => {
    const text = recordFileText(record(packages)).toString('utf8');
    expect(JSON.parse(text)).toEqual(record(packages));
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(packages.length + 2);
    const { packages: _p, ...head } = record(packages);
    expect(JSON.parse(`${lines[0]}]}`)).toEqual({ ...head, packages: [] });
  });

  it('gives each package, its href and runs of lines, parsing only what is asked for', () => {
    const text = RecordText.parse(recordFileText(record(packages)), path)!;
    const { packages: _p, ...head } = record(packages);
    expect(text.head).toEqual(head);
    expect(text.length).toBe(packages.length);
    packages.forEach((p, i) => expect(text.at(i)).toEqual(p));
    // Non-ASCII and escaped text is read exactly (the fast way only takes plain ASCII).
    expect(packages.map((_, i) => text.hrefAt(i))).toEqual(packages.map((p) => p.href));
    expect(text.lines(1, 3).toString('utf8')).toBe(`${packageLine(packages[1]!)},\n${packageLine(packages[2]!)}`);
    // Runs and new lines make the next record.
    const grown = record([...packages.slice(0, 2), pkg('beta'), ...packages.slice(2)]);
    const next = Buffer.concat(recordPieces({ ...head, stats: grown.stats }, [text.lines(0, 2), packageLine(pkg('beta')), text.lines(2, 4)]));
    expect(JSON.parse(next.toString('utf8'))).toEqual(grown);
    expect(RecordText.parse(next, path)?.at(2)).toEqual(pkg('beta'));
  });

  it('streams for a store write the bytes of its pieces, in few writes: small lines joined, a large run whole', async () => {
    const many = Array.from({ length: 1000 }, (_, i) => pkg(`p${i}`));
    const text = RecordText.parse(recordFileText(record(many)), path)!;
    const lines = [text.lines(0, 500), packageLine(pkg('beta')), ...many.slice(500).map(packageLine)];
    const chunks: Buffer[] = [];
    for await (const chunk of recordStream(text.head, lines)) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(Buffer.concat(recordPieces(text.head, lines)));
    // The run of 500 lines (over 64 KiB) as it is, the same memory; the 501 other lines joined.
    expect(chunks.some((c) => c.buffer === (lines[0] as Buffer).buffer && c.length === (lines[0] as Buffer).length)).toBe(true);
    expect(chunks.length).toBeLessThan(6);
  });

  it('handles an empty package list', () => {
    const text = RecordText.parse(recordFileText(record([])), path)!;
    expect(text.length).toBe(0);
    expect(JSON.parse(Buffer.concat(recordPieces(text.head, [])).toString()).packages).toEqual([]);
  });

  it('is not taken for a record in another layout, or with lines the head does not count', () => {
    expect(RecordText.parse(Buffer.from(`${JSON.stringify(record(packages), null, 1)}\n`), path)).toBeUndefined();
    expect(RecordText.parse(recordFileText(record(packages)).subarray(0, -2), path)).toBeUndefined();
    expect(RecordText.parse(recordFileText({ ...record(packages), stats: { packages: 3, bytes: 0 } }), path)).toBeUndefined();
    expect(RecordText.parse(recordFileText({ ...record(packages), format: 2 as 1 }), path)).toBeUndefined();
    // A record of any layout, as objects, is made one.
    expect(RecordText.of(record(packages), path).at(3)).toEqual(packages[3]);
  });

  it('names the file and line of a package line that does not parse', () => {
    const bytes = recordFileText(record(packages));
    const at = bytes.indexOf('"name":"quote');
    bytes.write('!', at);
    const text = RecordText.parse(bytes, path)!;
    expect(text.at(1)).toEqual(packages[1]);
    expect(() => text.at(2)).toThrow(expect.objectContaining({ code: 'E_STORE', message: expect.stringContaining(`${path} is corrupt: package line 4`) }));
  });
});
