import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { makeTempDir } from '@ovirt-repo/test-support';
import { OpenContentCache } from './open-cache.js';
import { memberKey, OpenHashThread } from './open-hash.js';
import { openHashServer, type OpenHashReply } from './open-hash-server.js';

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
    expect(cache.has(name)).toBe(true);
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

describe('the hashing thread server with a cache', () => {
  const texts = ['<a>first</a>\n'.repeat(40), '<b>second</b>\n'.repeat(30), '<c>third</c>\n'.repeat(20)];

  async function metadataFile() {
    const members = texts.map((t) => gzipSync(Buffer.from(t)));
    const path = join(work, `file-${++n}.gz`);
    await writeFile(path, Buffer.concat(members));
    let offset = 0;
    const spans = members.map((m, i) => {
      const span = [offset, m.length, Buffer.byteLength(texts[i]!)] as const;
      offset += m.length;
      return span;
    });
    const checksum = sha256(await readFile(path));
    return { members, spans, checksum, preload: { path, checksum, checksumType: 'sha256' as const, members: spans } };
  }

  function serve(cache: OpenContentCache) {
    const replies: OpenHashReply[] = [];
    return { handle: openHashServer((m) => replies.push(m), cache), replies };
  }

  /** A stream that copies every member of the file by key alone, as OpenHashThread does for a preloaded file. */
  function copyAll(handle: ReturnType<typeof serve>['handle'], file: Awaited<ReturnType<typeof metadataFile>>, s = 0) {
    handle({ s, type: 'sha256', open: true });
    file.spans.forEach(([o, size, openSize], i) => handle({ s, copy: { openSize, what: `member ${i}`, key: memberKey(file.checksum, o, size) } }));
    handle({ s, end: true });
  }

  it('fills the cache on a preload, then the next thread hashes from it', async () => {
    const dir = newDir();
    const file = await metadataFile();
    const first = serve(new CountingCache(dir));
    first.handle({ preload: [file.preload] });
    expect(first.replies).toEqual([{ preloaded: [{ checksum: file.checksum, bytes: expect.anything() }] }]);
    expect((await readdir(dir)).sort()).toEqual(file.members.map((m) => sha256(m)).sort());
    copyAll(first.handle, file);
    expect(first.replies[1]).toEqual({ s: 0, value: sha256(texts.join('')), size: Buffer.byteLength(texts.join('')) });

    const cache = new CountingCache(dir);
    const next = serve(cache);
    next.handle({ preload: [file.preload] });
    copyAll(next.handle, file);
    expect(cache.hits).toBe(3);
    expect(next.replies[1]).toEqual(first.replies[1]);
  });

  it('does not use a damaged entry: the member is decompressed, and the entry written again', async () => {
    const dir = newDir();
    const file = await metadataFile();
    serve(new OpenContentCache(dir)).handle({ preload: [file.preload] });
    const damaged = join(dir, sha256(file.members[1]!));
    await writeFile(damaged, texts[1]!.replace('second', 'SECOND'));
    const cache = new CountingCache(dir);
    const { handle, replies } = serve(cache);
    handle({ preload: [file.preload] });
    copyAll(handle, file);
    expect(cache.hits).toBe(2);
    expect(replies[1]).toEqual({ s: 0, value: sha256(texts.join('')), size: Buffer.byteLength(texts.join('')) });
    expect(await readFile(damaged, 'utf8')).toBe(texts[1]);
  });

  it('caches content it is given with its member, and retains what the streams used', async () => {
    const dir = newDir();
    const { handle, replies } = serve(new OpenContentCache(dir));
    const fresh = Buffer.from('<new>content</new>\n'.repeat(10));
    const freshMember = gzipSync(fresh);
    new OpenContentCache(dir).write('stale-entry', Buffer.from('from an older snapshot'));
    handle({ s: 0, type: 'sha256', open: true });
    handle({ s: 0, content: fresh, member: freshMember });
    handle({ s: 0, end: true });
    handle({ retain: true });
    expect(replies).toEqual([{ s: 0, value: sha256(fresh), size: fresh.length }, { retained: 1 }]);
    expect(await readdir(dir)).toEqual([sha256(freshMember)]);
    expect(await readFile(join(dir, sha256(freshMember)))).toEqual(fresh);
  });

  it('answers a stream that names a member it does not hold, and sent no bytes, with an internal error', () => {
    const { handle, replies } = serve(new OpenContentCache(newDir()));
    handle({ s: 0, type: 'sha256', open: true });
    handle({ s: 0, copy: { openSize: 3, what: 'a member of no preloaded file', key: memberKey('0'.repeat(64), 0, 3) } });
    handle({ s: 0, end: true });
    const reply = replies[0] as Extract<OpenHashReply, { error: unknown }>;
    expect(reply.error.code).toBe('E_INTERNAL');
    expect(reply.error.message).toContain('a member of no preloaded file');
  });
});

describe('OpenHashThread with a cache', () => {
  it('hashes preloaded members named, not sent, from the cache it fills, and prunes it on request', async () => {
    const dir = newDir();
    const texts = ['<x>one</x>\n'.repeat(100), '<y>two</y>\n'.repeat(100)];
    const members = texts.map((t) => gzipSync(Buffer.from(t)));
    const path = join(work, `thread-file-${++n}.gz`);
    await writeFile(path, Buffer.concat(members));
    const checksum = sha256(await readFile(path));
    const spans = [
      [0, members[0]!.length, Buffer.byteLength(texts[0]!)],
      [members[0]!.length, members[1]!.length, Buffer.byteLength(texts[1]!)],
    ] as const;
    const expected = { value: sha256(texts.join('')), size: Buffer.byteLength(texts.join('')) };
    new OpenContentCache(dir).write('stale', Buffer.from('stale'));

    for (let round = 0; round < 2; round++) {
      const thread = (await OpenHashThread.start({ cacheDir: dir }))!;
      thread.preload([{ path, checksum, checksumType: 'sha256', members: spans }]);
      await thread.ready();
      const hasher = thread.hasher('sha256');
      // The bytes given are not what the members hold: named members are taken from the thread's own copy.
      spans.forEach(([o, size, openSize], i) => hasher.updateGzip(gzipSync(`garbage ${i}`), openSize, `member ${i}`, memberKey(checksum, o, size)));
      await expect(hasher.digest()).resolves.toEqual(expected);
      await expect(thread.retainCache()).resolves.toBe(round === 0 ? 1 : 0);
      await thread.close();
    }
    expect((await readdir(dir)).sort()).toEqual(members.map((m) => sha256(m)).sort());
  });

  it('hashes on the calling thread from the same cache, and keeps what that used when it prunes', async () => {
    const dir = newDir();
    const texts = ['<a>local one</a>\n'.repeat(50), '<b>local two</b>\n'.repeat(50), '<c>on the thread</c>\n'.repeat(50)];
    const members = texts.map((t) => gzipSync(Buffer.from(t)));
    const cache = new OpenContentCache(dir);
    cache.write('stale', Buffer.from('stale'));
    // An entry of the first member that is not its content: the CRC check refuses it.
    cache.write(sha256(members[0]!), Buffer.from(texts[0]!.replace('one', 'ONE')));

    const thread = (await OpenHashThread.start({ cacheDir: dir }))!;
    try {
      const local = thread.localHasher('sha256')!;
      local.updateGzip(members[0]!, Buffer.byteLength(texts[0]!), 'member 0');
      local.update(Buffer.from(texts[1]!), members[1]!);
      await expect(local.digest()).resolves.toEqual({ value: sha256(texts[0]! + texts[1]!), size: Buffer.byteLength(texts[0]! + texts[1]!) });
      const remote = thread.hasher('sha256');
      remote.updateGzip(members[2]!, Buffer.byteLength(texts[2]!), 'member 2');
      await expect(remote.digest()).resolves.toEqual({ value: sha256(texts[2]!), size: Buffer.byteLength(texts[2]!) });
      // The damaged entry was written again; only the stale one goes.
      expect(cache.read(sha256(members[0]!), members[0]!, Buffer.byteLength(texts[0]!))?.toString()).toBe(texts[0]);
      await expect(thread.retainCache()).resolves.toBe(1);
      expect((await readdir(dir)).sort()).toEqual(members.map((m) => sha256(m)).sort());
    } finally {
      await thread.close();
    }
    const noCache = (await OpenHashThread.start())!;
    expect(noCache.localHasher('sha256')).toBeUndefined();
    await noCache.close();
  });
});
