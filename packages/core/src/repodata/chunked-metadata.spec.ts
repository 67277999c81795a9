import { execFileSync } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { decompressBuffer } from '../compress/index.js';
import { placeOf, wholeChunk } from './chunked-write.spec.helper.js';
import { endsChunk, openChunkedMetadata, readRepo, readRepomd, renderPackage, writeRepodata, type RepodataSummary, type WritableItem } from './index.js';
import { makePackage } from './sample-package.spec.helper.js';
import { failure } from '../errors/failure.spec.helper.js';

let work: string;
let cleanup: () => Promise<void>;
let n = 0;
beforeAll(async () => ({ dir: work, cleanup } = await makeTempDir('ovirt-repo-chunked-')));
afterAll(() => cleanup());

async function write(packages: WritableItem[], options: { chunked?: Parameters<typeof writeRepodata>[0]['chunked']; compression?: 'gz' | 'xz' } = {}) {
  const repoDir = join(work, `repo-${++n}`);
  const summary = await writeRepodata({ repoDir, outDir: join(repoDir, 'repodata'), packages, revision: '7', env: {}, fsync: false, ...options });
  return { repoDir, summary };
}

/** The decompressed text of each core file, by type. */
async function texts(repoDir: string, summary: RepodataSummary): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const r of summary.records) out[r.type] = (await decompressBuffer('gz', await readFile(join(repoDir, r.location.href)))).toString('utf8');
  return out;
}

const PACKAGES = Array.from({ length: 1500 }, (_, i) => makePackage(i));
const counted = (s: RepodataSummary) => s.chunks!.chunks.reduce((n, c) => n + c.count, 0);

describe('chunked metadata', () => {
  it('ends chunks by key alone, about one package in 256', () => {
    const keys = Array.from({ length: 50_000 }, (_, i) => `pool/${i % 256}/${i.toString(16).padStart(64, '0')}/pkg-${i}.rpm`);
    const ends = keys.filter(endsChunk);
    expect(ends.length).toBeGreaterThan(50_000 / 256 / 1.3);
    expect(ends.length).toBeLessThan((50_000 / 256) * 1.3);
    expect(keys.filter(endsChunk).join()).toBe(ends.join());
  });

  it('holds the same text and open checksums as the streamed files, in many members', async () => {
    const plain = await write(PACKAGES);
    const chunked = await write(PACKAGES, { chunked: {} });
    expect(await texts(chunked.repoDir, chunked.summary)).toEqual(await texts(plain.repoDir, plain.summary));
    const open = (s: RepodataSummary) => s.records.map((r) => [r.type, r.openChecksum, r.openSize]);
    expect(open(chunked.summary)).toEqual(open(plain.summary));
    const index = chunked.summary.chunks!;
    expect(index.chunks.length).toBeGreaterThan(2);
    expect(counted(chunked.summary)).toBe(PACKAGES.length);
    // Each chunk ends with a package that ends one, but the last.
    let end = 0;
    for (const c of index.chunks.slice(0, -1)) expect(endsChunk(PACKAGES[(end += c.count) - 1]!.location.href)).toBe(true);
    expect(chunked.summary.reusedChunks).toBe(0);
    for (const r of chunked.summary.records) {
      const file = await readFile(join(chunked.repoDir, r.location.href));
      expect(index.files[r.type as 'primary']).toEqual({ href: r.location.href, checksum: r.checksum.value, size: file.length });
      // Each chunk's member decompresses on its own to whole package entries.
      const [offset, size, openSize] = index.chunks[1]!.members[r.type as 'primary'];
      const bytes = await decompressBuffer('gz', file.subarray(offset, offset + size));
      expect(bytes.length).toBe(openSize);
      const member = bytes.toString('utf8');
      expect(member.startsWith('<package')).toBe(true);
      expect(member.endsWith('</package>\n')).toBe(true);
    }
    // The repo reads back whole with the streaming reader, which checks every checksum.
    const back = [];
    for await (const p of (await readRepo(chunked.repoDir)).packages()) back.push(p.name);
    expect(back).toEqual(PACKAGES.map((p) => p.name));
  });

  it('takes whole chunks of an earlier write: the same files as their packages, copied byte for byte without loading them', async () => {
    const first = await write(PACKAGES, { chunked: {} });
    const index = first.summary.chunks!;
    const earlier = await openChunkedMetadata(first.repoDir, await readRepomd(join(first.repoDir, 'repodata', 'repomd.xml')), index);
    expect(earlier.packages).toBe(PACKAGES.length);
    const loads: string[] = [];
    const whole = (c: number) => {
      const chunk = wholeChunk(earlier, index, PACKAGES, c);
      return { ...chunk, packages: () => chunk.packages().map((d) => ({ key: d.key, load: () => (loads.push(d.key), d.load()) })) };
    };
    const start = (c: number) => index.chunks.slice(0, c).reduce((n, x) => n + x.count, 0);
    const packagesOf = (c: number) => PACKAGES.slice(start(c), start(c + 1));
    const added = makePackage(6000);
    // Chunk 0 and 2 whole at a chunk's end; chunk 4 whole right after a package that ends none (so its
    // packages are chunked one by one with it); chunk 1 and 3 package by package.
    const items: WritableItem[] = [whole(0), ...packagesOf(1), whole(2), ...packagesOf(3), ...(endsChunk(added.location.href) ? [] : [added]), whole(4)];
    const expected = [...PACKAGES.slice(0, start(4)), ...(endsChunk(added.location.href) ? [] : [added]), ...packagesOf(4)];
    const second = await write(items, { chunked: {} });
    const one = await write(expected, { chunked: {} });
    expect(await texts(second.repoDir, second.summary)).toEqual(await texts(one.repoDir, one.summary));
    expect(second.summary.records.map((r) => r.checksum.value)).toEqual(one.summary.records.map((r) => r.checksum.value));
    expect(second.summary.chunks!.chunks.map((c) => c.count)).toEqual(one.summary.chunks!.chunks.map((c) => c.count));
    expect(second.summary.reusedChunks).toBe(2);
    expect(loads.length).toBe(endsChunk(added.location.href) ? 0 : index.chunks[4]!.count);
    // A copied chunk is the earlier write's member, byte for byte.
    const before = await readFile(join(first.repoDir, index.files.primary.href));
    const after = await readFile(join(second.repoDir, second.summary.chunks!.files.primary.href));
    const [o1, s1] = index.chunks[2]!.members.primary;
    const [o2, s2] = second.summary.chunks!.chunks[2]!.members.primary;
    expect(after.subarray(o2, o2 + s2).equals(before.subarray(o1, o1 + s1))).toBe(true);
    // Anything but a chunked write refuses a whole chunk.
    expect((await failure(write([whole(0)]))).code).toBe('E_USAGE');
  });

  it('refuses an index that does not describe the files, or files that changed', async () => {
    const { repoDir, summary } = await write(PACKAGES.slice(0, 600), { chunked: {} });
    const repomd = await readRepomd(join(repoDir, 'repodata', 'repomd.xml'));
    const index = summary.chunks!;
    const other = await write(PACKAGES.slice(0, 10), { chunked: {} });
    expect((await failure(openChunkedMetadata(repoDir, repomd, other.summary.chunks!))).code).toBe('E_REPODATA_INVALID');
    const outside = { ...index, chunks: index.chunks.map((c, i) => (i === 0 ? { ...c, members: { ...c.members, other: [c.members.other[0], 1 << 30, 5] as const } } : c)) };
    expect((await failure(openChunkedMetadata(repoDir, repomd, outside))).message).toContain('outside the file');
    const path = join(repoDir, index.files.filelists.href);
    const bytes = await readFile(path);
    bytes[bytes.length - 10]! ^= 0xff;
    await writeFile(path, bytes);
    expect((await failure(openChunkedMetadata(repoDir, repomd, index))).message).toContain('does not match its checksum');
  });

  it('notices a package the index places where another one is, by href or by pkgid', async () => {
    const some = PACKAGES.slice(0, 600);
    const { repoDir, summary } = await write(some, { chunked: {} });
    const repomd = await readRepomd(join(repoDir, 'repodata', 'repomd.xml'));
    const chunks = await openChunkedMetadata(repoDir, repomd, summary.chunks!);
    await expect(chunks.verify(some.map(placeOf))).resolves.toBeUndefined();
    const swapped = [some[1]!, some[0]!, ...some.slice(2)].map(placeOf);
    expect((await failure(chunks.verify(swapped))).message).toContain('where another package is');
    expect((await failure(chunks.verify(some.slice(1).map(placeOf)))).message).toContain(`lists ${some.length} packages, not ${some.length - 1}`);
    for (const wrong of [placeOf(some[1]!), { ...placeOf(some[0]!), pkgid: some[1]!.checksum.value }]) {
      const e = await failure(chunks.deferredAt(0, 0, wrong).load());
      expect(e.code).toBe('E_REPODATA_INVALID');
      expect(e.message).toContain('where another package is');
    }
    await expect(chunks.deferredAt(0, 1, placeOf(some[1]!)).load()).resolves.toMatchObject({ key: some[1]!.location.href });
  });

  it('is refused with xz, an unknown count or onInvalidPackage, before anything is written', async () => {
    const e1 = await failure(write(PACKAGES.slice(0, 3), { chunked: {}, compression: 'xz' }));
    expect(e1.code).toBe('E_USAGE');
    expect(e1.message).toContain('xz compression');
    const repoDir = join(work, 'refused');
    const e2 = await failure(
      writeRepodata({ outDir: join(repoDir, 'repodata'), packages: (async function* () { yield PACKAGES[0]!; })(), chunked: {}, env: {} }),
    );
    expect(e2.message).toContain('unknown package count');
    const e3 = await failure(writeRepodata({ outDir: join(repoDir, 'repodata'), packages: PACKAGES.slice(0, 2), chunked: {}, onInvalidPackage: () => undefined, env: {} }));
    expect(e3.message).toContain('onInvalidPackage');
    await expect(readdir(repoDir)).rejects.toThrow();
  });

  it('takes batches of packages as well as single ones, streamed or chunked', async () => {
    const flat = await write(PACKAGES.slice(0, 300));
    const batched = [PACKAGES.slice(0, 100), PACKAGES[100]!, PACKAGES.slice(101, 300)];
    const streamed = await write(batched);
    expect(streamed.summary.packages).toBe(300);
    expect(await texts(streamed.repoDir, streamed.summary)).toEqual(await texts(flat.repoDir, flat.summary));
    const chunked = await write(batched, { chunked: {} });
    expect(counted(chunked.summary)).toBe(300);
    expect(await texts(chunked.repoDir, chunked.summary)).toEqual(await texts(flat.repoDir, flat.summary));
  });

  it('needs a key for rendered packages', async () => {
    const e = await failure(write([renderPackage(PACKAGES[0]!)], { chunked: {} }));
    expect(e.code).toBe('E_USAGE');
    expect(e.message).toContain('without a key');
  });
});

describeWithTools(['gzip'], 'chunked metadata and gzip(1)', () => {
  it('decompresses as one stream with gzip -dc, as zlib readers do', async () => {
    const { repoDir, summary } = await write(PACKAGES, { chunked: {} });
    const primary = summary.records.find((r) => r.type === 'primary')!;
    const text = execFileSync('gzip', ['-dc', join(repoDir, primary.location.href)], { maxBuffer: 1 << 28 }).toString('utf8');
    expect(text.startsWith('<?xml')).toBe(true);
    expect(text.endsWith('</metadata>')).toBe(true);
    expect(text.split('<package type="rpm">').length - 1).toBe(PACKAGES.length);
  });
});
