import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { makeTempDir } from '@ovirt-repo/test-support';
import { failure } from '../errors/failure.spec.helper.js';
import { itemsWithInsert } from './chunked-write.spec.helper.js';
import { openChunkedMetadata, readRepomd, writeRepodata, type RepodataSummary, type WritableItem } from './index.js';
import { OpenContentCache } from './open-cache.js';
import { makePackage } from './sample-package.spec.helper.js';

let work: string;
let cleanup: () => Promise<void>;
let n = 0;
beforeAll(async () => ({ dir: work, cleanup } = await makeTempDir('ovirt-repo-open-cache-')));
afterAll(() => cleanup());

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const newDir = () => join(work, `cache-${++n}`);

/** A cache that counts the reads it answers. */
class CountingCache extends OpenContentCache {
  hits = 0;
  override read(name: string, member: Uint8Array, openSize: number): Buffer | undefined {
    const found = super.read(name, member, openSize);
    if (found) this.hits++;
    return found;
  }
}

describe('OpenContentCache', () => {
  const text = '<package>one</package>\n'.repeat(50);
  const member = gzipSync(Buffer.from(text));
  const name = OpenContentCache.nameOf(member);

  it('names content by its member and gives back only what the member decompresses to', async () => {
    const dir = newDir();
    const cache = new OpenContentCache(dir);
    expect(name).toBe(sha256(member));
    expect(cache.read(name, member, text.length)).toBeUndefined();
    cache.write(name, Buffer.from(text));
    expect(cache.read(name, member, text.length)?.toString()).toBe(text);
    // The size the caller expects must be the member's own (its gzip trailer).
    expect(cache.read(name, member, text.length + 1)).toBeUndefined();
    expect(await readdir(dir)).toEqual([name]);
  });

  it.each([
    ['damaged, same size', text.replace('one', 'two')],
    ['truncated', text.slice(0, -1)],
    ['longer', `${text}x`],
    ['empty', ''],
  ])('does not use an entry that is %s', async (_what, stored) => {
    const dir = newDir();
    await mkdir(dir);
    await writeFile(join(dir, name), stored);
    expect(new OpenContentCache(dir).read(name, member, text.length)).toBeUndefined();
  });

  it('retains only the names given, temporary files gone too', async () => {
    const dir = newDir();
    const cache = new OpenContentCache(dir);
    for (const k of ['a', 'b', 'c']) cache.write(k, Buffer.from(k));
    await writeFile(join(dir, '.d.123.tmp'), 'left by a killed thread');
    expect(cache.retain(new Set(['b']))).toBe(3);
    expect(await readdir(dir)).toEqual(['b']);
    expect(new OpenContentCache(join(work, 'never-made')).retain(new Set())).toBe(0);
  });

  it('is only slower when it cannot be written', async () => {
    const file = join(work, `a-file-${++n}`);
    await writeFile(file, 'not a directory');
    const cache = new OpenContentCache(join(file, 'cache'));
    expect(() => cache.write(name, Buffer.from(text))).not.toThrow();
    expect(cache.read(name, member, text.length)).toBeUndefined();
  });
});

describe('open checksums of copied chunks, with and without the cache', () => {
  const PACKAGES = Array.from({ length: 1200 }, (_, i) => makePackage(i));

  async function write(packages: WritableItem[], chunked: NonNullable<Parameters<typeof writeRepodata>[0]['chunked']>) {
    const repoDir = join(work, `repo-${++n}`);
    const summary = await writeRepodata({ repoDir, outDir: join(repoDir, 'repodata'), packages, revision: '7', env: {}, fsync: false, chunked });
    return { repoDir, summary };
  }

  /** A first write, and what a write of its packages and one more at 500 is given (chunks copied whole). */
  async function firstWrite() {
    const first = await write(PACKAGES, {});
    const repomd = await readRepomd(join(first.repoDir, 'repodata', 'repomd.xml'));
    const earlier = await openChunkedMetadata(first.repoDir, repomd, first.summary.chunks!);
    return { ...first, next: itemsWithInsert(earlier, first.summary.chunks!, PACKAGES, 500, makePackage(9000)) };
  }

  const checksums = (s: RepodataSummary) => s.records.map((r) => [r.type, r.checksum.value, r.openChecksum?.value, r.openSize]);

  it('writes the same files whether the cache is empty, full, damaged or absent; its checksums are those of the content', async () => {
    const { next } = await firstWrite();
    const dir = newDir();
    const none = await write(next, {});
    const filling = new CountingCache(dir);
    const filled = await write(next, { cache: filling });
    expect(filling.hits).toBe(0);
    // Every member of the new files is in the cache now: the content of those it copied and of those it wrote.
    expect((await readdir(dir)).sort()).toEqual([...filling.used].sort());
    const hitting = new CountingCache(dir);
    const hit = await write(next, { cache: hitting });
    expect(hitting.hits).toBe(none.summary.reusedChunks! * 3);
    // An entry that is not its member's content (same size) is a miss, and written again.
    const [victim] = [...hitting.used];
    const entry = await readFile(join(dir, victim!));
    await writeFile(join(dir, victim!), Buffer.from(entry.toString('latin1').replace(/[a-z]/, 'Z'), 'latin1'));
    const damaged = await write(next, { cache: new OpenContentCache(dir) });
    expect(await readFile(join(dir, victim!))).toEqual(entry);

    expect(none.summary.reusedChunks).toBeGreaterThan(0);
    for (const w of [filled, hit, damaged]) {
      expect(w.summary.reusedChunks).toBe(none.summary.reusedChunks);
      expect(checksums(w.summary)).toEqual(checksums(none.summary));
    }
    for (const r of hit.summary.records) {
      const content = gunzipSync(await readFile(join(hit.repoDir, r.location.href)));
      expect(r.openChecksum?.value).toBe(sha256(content));
      expect(r.openSize).toBe(content.length);
    }
  });

  it('keeps what a write compressed itself for the next one, and only what the last write used when asked', async () => {
    const { next } = await firstWrite();
    const dir = newDir();
    await write(PACKAGES, { cache: new OpenContentCache(dir) });
    const before = await readdir(dir);
    const cache = new CountingCache(dir);
    const second = await write(next, { cache });
    expect(cache.hits).toBe(second.summary.reusedChunks! * 3);
    expect(cache.retainUsed()).toBeGreaterThan(0);
    const after = await readdir(dir);
    expect(after.sort()).toEqual([...cache.used].sort());
    // Headers and the chunks around the new package changed; the chunks copied are kept.
    expect(after.filter((a) => before.includes(a)).length).toBeGreaterThan(0);
  });

  it('fails the write when a copied chunk is not what its index says, with nothing left behind', async () => {
    const { next } = await firstWrite();
    // The index claims one byte more for every copied chunk than its member holds.
    const lying = next.map((item) => ('copiedChunk' in item ? { ...item, copiedChunk: { ...item.copiedChunk, other: { ...item.copiedChunk.other, openSize: item.copiedChunk.other.openSize + 1 } } } : item));
    for (const cached of [false, true]) {
      const repoDir = join(work, `lying-${cached}`);
      const e = await failure(writeRepodata({ repoDir, outDir: join(repoDir, 'repodata'), packages: lying, env: {}, fsync: false, chunked: cached ? { cache: new OpenContentCache(newDir()) } : {} }));
      expect(e.code).toBe('E_REPODATA_INVALID');
      expect(e.message).toMatch(/a reused chunk of other holds \d+ bytes, its index says \d+/);
      expect(await readdir(join(repoDir, 'repodata'))).toEqual([]);
    }
  });
});
