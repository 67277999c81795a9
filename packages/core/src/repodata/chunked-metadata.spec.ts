import { execFileSync } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { decompressBuffer } from '../compress/index.js';
import type { PackageRecord } from './model.js';
import {
  endsChunk,
  openChunkedMetadata,
  readRepo,
  readRepomd,
  renderPackage,
  writeRepodata,
  type CopiedChunk,
  type DeferredPackage,
  type RepodataSummary,
  type WritableItem,
} from './index.js';
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
const deferredOf = (p: PackageRecord, loads: string[]): DeferredPackage => ({
  key: p.location.href,
  load: async () => {
    loads.push(p.location.href);
    return { key: p.location.href, ...renderPackage(p) };
  },
});

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
    expect(index.chunks.flatMap((c) => c.keys)).toEqual(PACKAGES.map((p) => p.location.href));
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

  it('copies the chunks an earlier write has, and loads deferred packages only for the others', async () => {
    const first = await write(PACKAGES, { chunked: {} });
    const reuse = await openChunkedMetadata(first.repoDir, await readRepomd(join(first.repoDir, 'repodata', 'repomd.xml')), first.summary.chunks!);
    expect(reuse.packages).toBe(PACKAGES.length);
    // One package added in the middle, one removed near the end.
    const next = [...PACKAGES.slice(0, 700), makePackage(5000), ...PACKAGES.slice(700, 1400), ...PACKAGES.slice(1401)];
    const loads: string[] = [];
    const items = next.map((p) => (reuse.has(p.location.href) ? deferredOf(p, loads) : p));
    const second = await write(items, { chunked: { reuse } });
    const fresh = await write(next);
    expect(await texts(second.repoDir, second.summary)).toEqual(await texts(fresh.repoDir, fresh.summary));
    const chunks = second.summary.chunks!.chunks;
    expect(second.summary.reusedChunks).toBeGreaterThanOrEqual(chunks.length - 3);
    expect(second.summary.reusedChunks).toBeGreaterThan(0);
    // Only the packages of the rewritten chunks were loaded: at most the two changed chunks' worth.
    expect(loads.length).toBeGreaterThan(0);
    expect(loads.length).toBeLessThan(next.length / 2);
    // A reused chunk is the earlier write's member, byte for byte.
    const before = await readFile(join(first.repoDir, first.summary.chunks!.files.primary.href));
    const after = await readFile(join(second.repoDir, second.summary.chunks!.files.primary.href));
    const [o1, s1] = first.summary.chunks!.chunks[0]!.members.primary;
    const [o2, s2] = chunks[0]!.members.primary;
    expect(after.subarray(o2, o2 + s2).equals(before.subarray(o1, o1 + s1))).toBe(true);
  });

  it('takes whole chunks of an earlier write: the same files as their packages, copied without loading them', async () => {
    const first = await write(PACKAGES, { chunked: {} });
    const index = first.summary.chunks!;
    const reuse = await openChunkedMetadata(first.repoDir, await readRepomd(join(first.repoDir, 'repodata', 'repomd.xml')), index);
    const loads: string[] = [];
    const byKey = new Map(PACKAGES.map((p) => [p.location.href, p]));
    const whole = (c: number): CopiedChunk => ({
      copiedChunk: reuse.copied(c),
      count: index.chunks[c]!.keys.length,
      label: `chunk ${c}`,
      packages: () => index.chunks[c]!.keys.map((k) => deferredOf(byKey.get(k)!, loads)),
    });
    const added = makePackage(6000);
    // Chunk 0 and 2 whole at a chunk's end; chunk 4 whole right after a package that ends none (so its
    // packages are chunked one by one with it); chunk 1 and 3 package by package.
    const items: WritableItem[] = [
      whole(0),
      ...index.chunks[1]!.keys.map((k) => byKey.get(k)!),
      whole(2),
      ...index.chunks[3]!.keys.map((k) => byKey.get(k)!),
      ...(endsChunk(added.location.href) ? [] : [added]),
      whole(4),
    ];
    const expected = [...index.chunks.slice(0, 4).flatMap((c) => c.keys.map((k) => byKey.get(k)!)), ...(endsChunk(added.location.href) ? [] : [added]), ...index.chunks[4]!.keys.map((k) => byKey.get(k)!)];
    const second = await write(items, { chunked: { reuse } });
    const one = await write(expected, { chunked: { reuse } });
    expect(await texts(second.repoDir, second.summary)).toEqual(await texts(one.repoDir, one.summary));
    expect(second.summary.records.map((r) => r.checksum.value)).toEqual(one.summary.records.map((r) => r.checksum.value));
    const written = second.summary.chunks!.chunks;
    expect(written.filter((c) => c.label !== undefined).map((c) => [c.label, c.keys])).toEqual([
      ['chunk 0', []],
      ['chunk 2', []],
    ]);
    expect(loads.length).toBe(endsChunk(added.location.href) ? 0 : index.chunks[4]!.keys.length);
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

  it('notices a package the index places where another one is', async () => {
    const { repoDir, summary } = await write(PACKAGES.slice(0, 600), { chunked: {} });
    const index = summary.chunks!;
    const swapped = { ...index, chunks: index.chunks.map((c, i) => (i === 0 ? { ...c, keys: [c.keys[1]!, c.keys[0]!, ...c.keys.slice(2)] } : c)) };
    const repomd = await readRepomd(join(repoDir, 'repodata', 'repomd.xml'));
    await expect((await openChunkedMetadata(repoDir, repomd, index)).verify()).resolves.toBeUndefined();
    const reuse = await openChunkedMetadata(repoDir, repomd, swapped);
    expect((await failure(reuse.verify())).message).toContain('where another package is');
    const e = await failure(reuse.deferred(swapped.chunks[0]!.keys[0]!).load());
    expect(e.code).toBe('E_REPODATA_INVALID');
    expect(e.message).toContain('where another package is');
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
    expect(chunked.summary.chunks!.chunks.flatMap((c) => c.keys)).toHaveLength(300);
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
