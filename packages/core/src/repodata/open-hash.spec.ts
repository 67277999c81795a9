import { createHash } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { makeTempDir } from '@ovirt-repo/test-support';
import type { ChunkIndex, ChunkReuse } from './chunk-index.js';
import { openChunkedMetadata, preloadFilesOf, readRepomd, writeRepodata, type RepodataSummary, type WritableItem } from './index.js';
import { OpenHashThread, inThreadOpenHasher, memberKey } from './open-hash.js';
import { openHashServer, type OpenHashReply } from './open-hash-server.js';
import { makePackage } from './sample-package.spec.helper.js';
import { failure } from '../errors/failure.spec.helper.js';

let work: string;
let cleanup: () => Promise<void>;
let n = 0;
beforeAll(async () => ({ dir: work, cleanup } = await makeTempDir('ovirt-repo-open-hash-')));
afterAll(() => cleanup());

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

async function write(packages: WritableItem[], chunked: NonNullable<Parameters<typeof writeRepodata>[0]['chunked']>) {
  const repoDir = join(work, `repo-${++n}`);
  const summary = await writeRepodata({ repoDir, outDir: join(repoDir, 'repodata'), packages, revision: '7', env: {}, fsync: false, chunked });
  return { repoDir, summary };
}

const openChecksums = (s: RepodataSummary) => s.records.map((r) => [r.type, r.checksum.value, r.openChecksum?.value, r.openSize]);
const PACKAGES = Array.from({ length: 1200 }, (_, i) => makePackage(i));
const NEXT = [...PACKAGES.slice(0, 500), makePackage(9000), ...PACKAGES.slice(500)];

async function firstWrite() {
  const first = await write(PACKAGES, { hashThread: false });
  const repomd = await readRepomd(join(first.repoDir, 'repodata', 'repomd.xml'));
  return { ...first, reuse: await openChunkedMetadata(first.repoDir, repomd, first.summary.chunks!) };
}

describe('open checksums of chunked metadata on a hashing thread', () => {
  it('starts from the built core (npm test builds before it tests)', async () => {
    const thread = await OpenHashThread.start();
    expect(thread).toBeInstanceOf(OpenHashThread);
    await thread!.close();
  });

  it('gives the same files and checksums with or without a thread, preloaded or not', async () => {
    const { repoDir, summary, reuse } = await firstWrite();
    const onThisThread = await write(NEXT, { reuse, hashThread: false });
    const ownThread = await write(NEXT, { reuse, hashThread: true });
    const given = (await OpenHashThread.start())!;
    given.preload(preloadFilesOf(repoDir, summary.chunks!));
    const preloaded = await write(NEXT, { reuse, hashThread: given });
    // A thread the caller gave stays the caller's to close: it still answers after the write.
    const after = given.hasher('sha256');
    after.update(Buffer.from('still here'));
    await expect(after.digest()).resolves.toEqual({ value: sha256('still here'), size: 10 });
    await given.close();

    expect(onThisThread.summary.reusedChunks).toBeGreaterThan(0);
    for (const w of [ownThread, preloaded]) {
      expect(w.summary.reusedChunks).toBe(onThisThread.summary.reusedChunks);
      expect(openChecksums(w.summary)).toEqual(openChecksums(onThisThread.summary));
    }
    // And the checksums are those of the content, as clients compute them.
    for (const r of preloaded.summary.records) {
      const { gunzipSync } = await import('node:zlib');
      const content = gunzipSync(await readFile(join(preloaded.repoDir, r.location.href)));
      expect(r.openChecksum?.value).toBe(sha256(content));
      expect(r.openSize).toBe(content.length);
    }
  });

  it('opens chunked metadata from the files the thread preloaded and verified, without reading them again', async () => {
    const { repoDir, summary } = await firstWrite();
    const repomd = await readRepomd(join(repoDir, 'repodata', 'repomd.xml'));
    const expected = await openChunkedMetadata(repoDir, repomd, summary.chunks!);
    const thread = (await OpenHashThread.start())!;
    try {
      // One file named with a checksum it does not have: the thread keeps nothing of it.
      const files = preloadFilesOf(repoDir, summary.chunks!);
      thread.preload(files.map((f, i) => (i === 2 ? { ...f, checksum: sha256('not this file') } : f)));
      const held = await Promise.all(files.map((f) => thread.preloadedFile(f.checksum)));
      expect(held.map((b) => b && Buffer.from(b))).toEqual([await readFile(files[0]!.path), await readFile(files[1]!.path), undefined]);
      // The two it holds are not read from disk again (they are gone); the third one is.
      for (const f of files.slice(0, 2)) await rm(f.path);
      await expect(openChunkedMetadata(repoDir, repomd, summary.chunks!)).rejects.toMatchObject({ code: 'E_IO', message: expect.stringContaining(files[0]!.path) });
      const verified = (sha: string) => thread.preloadedFile(sha);
      const reopened = await openChunkedMetadata(repoDir, repomd, summary.chunks!, { verified });
      await reopened.verify();
      const membersOf = (c: ReturnType<typeof expected.copied>) => Object.values(c).map((m) => [Buffer.from(m.compressed).toString('hex'), m.openSize, m.key]);
      expect(membersOf(expected.copied(0))[0]![0]).toMatch(/^1f8b[0-9a-f]{100}/);
      for (const i of [0, 3, summary.chunks!.chunks.length - 1]) expect(membersOf(reopened.copied(i))).toEqual(membersOf(expected.copied(i)));
      // Bytes of another size than the index says are refused, verified or not.
      const short = async (sha: string) => (await thread.preloadedFile(sha))?.subarray(1);
      await expect(openChunkedMetadata(repoDir, repomd, summary.chunks!, { verified: short })).rejects.toMatchObject({ code: 'E_REPODATA_INVALID' });
    } finally {
      await thread.close();
    }
  });

  it('fails the write when a copied chunk is not what its index says, with nothing left behind', async () => {
    const { reuse } = await firstWrite();
    // The index claims one byte more for every copied chunk than its member holds.
    const lying: ChunkReuse = {
      find: (keys) => {
        const found = reuse.find(keys);
        return found && { ...found, other: { ...found.other, openSize: found.other.openSize + 1 } };
      },
    };
    for (const hashThread of [false, true]) {
      const repoDir = join(work, `lying-${hashThread}`);
      const e = await failure(writeRepodata({ repoDir, outDir: join(repoDir, 'repodata'), packages: NEXT, env: {}, fsync: false, chunked: { reuse: lying, hashThread } }));
      expect(e.code).toBe('E_REPODATA_INVALID');
      expect(e.message).toMatch(/a reused chunk of other holds \d+ bytes, its index says \d+/);
      expect(await readdir(join(repoDir, 'repodata'))).toEqual([]);
    }
  });
});

describe('the hashing thread server', () => {
  const member = (text: string) => gzipSync(Buffer.from(text));

  async function preloadedFile(text: string[]) {
    const members = text.map(member);
    const path = join(work, `preload-${++n}.gz`);
    await writeFile(path, Buffer.concat(members));
    let offset = 0;
    const spans = members.map((m, i) => {
      const span = [offset, m.length, Buffer.byteLength(text[i]!)] as const;
      offset += m.length;
      return span;
    });
    return { path, checksum: sha256(await readFile(path)), spans, members };
  }

  function serve() {
    const replies: OpenHashReply[] = [];
    return { handle: openHashServer((m) => replies.push(m)), replies };
  }

  it('hashes content and members per stream, in order, as the in-thread hasher does', async () => {
    const { handle, replies } = serve();
    const local = inThreadOpenHasher('sha256');
    handle({ s: 0, type: 'sha256', open: true });
    handle({ s: 1, type: 'sha256', open: true });
    handle({ s: 0, content: Buffer.from('<header>') });
    local.update(Buffer.from('<header>'));
    handle({ s: 1, content: Buffer.from('other stream') });
    handle({ s: 0, copy: { member: member('<a/>'), openSize: 4, what: 'a member' } });
    local.updateGzip(member('<a/>'), 4, 'a member');
    handle({ s: 0, end: true });
    handle({ s: 1, end: true });
    expect(replies).toEqual([
      { s: 0, ...(await local.digest()) },
      { s: 1, value: sha256('other stream'), size: 12 },
    ]);
    expect(replies[0]).toEqual({ s: 0, value: sha256('<header><a/>'), size: 12 });
  });

  it('uses a preloaded member by key, and decompresses what it did not preload', async () => {
    const file = await preloadedFile(['<one/>', '<two/>']);
    const { handle, replies } = serve();
    handle({ preload: [{ path: file.path, checksum: file.checksum, checksumType: 'sha256', members: file.spans }] });
    handle({ s: 0, type: 'sha256', open: true });
    // The first member comes as bytes that say something else: the preloaded content is what counts, which
    // shows it was used (the key names content by its file's checksum, so both are always the same).
    const [o, size] = file.spans[0]!;
    handle({ s: 0, copy: { member: member('<xxx/>'), openSize: 6, what: 'first', key: memberKey(file.checksum, o, size) } });
    handle({ s: 0, copy: { member: file.members[1]!, openSize: 6, what: 'second', key: memberKey(file.checksum, 999, 1) } });
    handle({ s: 0, end: true });
    expect(replies).toEqual([{ preloaded: [{ checksum: file.checksum, bytes: expect.anything() }] }, { s: 0, value: sha256('<one/><two/>'), size: 12 }]);
  });

  it('answers a preload with the bytes it read, in memory it shares with the thread that asked', async () => {
    const file = await preloadedFile(['<one/>', '<two/>']);
    const { handle, replies } = serve();
    handle({ preload: [{ path: file.path, checksum: file.checksum, checksumType: 'sha256', members: file.spans }] });
    const { preloaded } = replies[0] as Extract<OpenHashReply, { preloaded: unknown }>;
    expect(preloaded.map((f) => f.checksum)).toEqual([file.checksum]);
    expect(Buffer.from(preloaded[0]!.bytes)).toEqual(await readFile(file.path));
    expect(preloaded[0]!.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('preloads nothing from a file whose checksum is not the one named', async () => {
    const file = await preloadedFile(['<one/>']);
    const { handle, replies } = serve();
    handle({ preload: [{ path: file.path, checksum: sha256('another file'), checksumType: 'sha256', members: file.spans }] });
    handle({ s: 0, type: 'sha256', open: true });
    const [o, size] = file.spans[0]!;
    handle({ s: 0, copy: { member: member('<xxx/>'), openSize: 6, what: 'first', key: memberKey(sha256('another file'), o, size) } });
    handle({ s: 0, end: true });
    expect(replies).toEqual([{ preloaded: [] }, { s: 0, value: sha256('<xxx/>'), size: 6 }]);
  });

  it('answers a stream that met a bad member with its error, code kept', async () => {
    const { handle, replies } = serve();
    handle({ s: 0, type: 'sha256', open: true });
    handle({ s: 0, copy: { member: Buffer.from('not gzip at all'), openSize: 3, what: 'a broken member' } });
    handle({ s: 0, content: Buffer.from('ignored after the error') });
    handle({ s: 0, end: true });
    expect(replies).toHaveLength(1);
    const reply = replies[0] as Extract<OpenHashReply, { error: unknown }>;
    expect(reply.error.ovirtRepo).toBe(true);
    expect(reply.error.code).toBe('E_COMPRESSION');
    expect(reply.error.message).toContain('a broken member');
  });

  it('leaves out of a preload the files whose href is not in repodata/', () => {
    const index: ChunkIndex = {
      files: {
        primary: { href: 'repodata/p.xml.gz', checksum: 'a', size: 1 },
        filelists: { href: '../../etc/passwd', checksum: 'b', size: 1 },
        other: { href: 'repodata/o.xml.gz', checksum: 'c', size: 1 },
      },
      chunks: [{ keys: ['k'], members: { primary: [1, 2, 3], filelists: [1, 2, 3], other: [4, 5, 6] } }],
    };
    const files = preloadFilesOf('/store/snap', index);
    expect(files.map((f) => f.path)).toEqual(['/store/snap/repodata/p.xml.gz', '/store/snap/repodata/o.xml.gz']);
    expect(files[1]!.members).toEqual([[4, 5, 6]]);
  });
});
