import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { describeWithTools, itWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { isOvirtRepoError, type OvirtRepoError } from '../errors/index.js';
import { compressBuffer, compressStream, decompressBuffer, decompressStream, openDecompressed } from './index.js';

/** Text that compresses like repodata: repetitive XML with some entropy. */
function sampleXml(packages: number): Buffer {
  const parts: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n<filelists packages="' + packages + '">\n'];
  for (let i = 0; i < packages; i++) {
    parts.push(`<package pkgid="${randomBytes(32).toString('hex')}" name="pkg${i}" arch="x86_64">\n`);
    for (let f = 0; f < 8; f++) parts.push(`  <file>/usr/share/pkg${i}/file-${f}-ünï.txt</file>\n`);
    parts.push('</package>\n');
  }
  parts.push('</filelists>');
  return Buffer.from(parts.join(''), 'utf8');
}

/** Feeds `data` in uneven chunks, so codecs see split headers and blocks. */
function chunked(data: Buffer): Readable {
  const chunks: Buffer[] = [];
  let offset = 0;
  let size = 1;
  while (offset < data.length) {
    chunks.push(data.subarray(offset, offset + size));
    offset += size;
    size = (size * 7 + 3) % 70000 || 1;
  }
  return Readable.from(chunks);
}

async function collect(source: Readable, ...streams: NodeJS.ReadWriteStream[]): Promise<Buffer> {
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      out.push(chunk);
      cb();
    },
  });
  await pipeline([source, ...streams, sink]);
  return Buffer.concat(out);
}

async function rejection(p: Promise<unknown>): Promise<OvirtRepoError> {
  try {
    await p;
  } catch (e) {
    if (isOvirtRepoError(e)) return e;
    throw new Error(`expected an OvirtRepoError, got ${String(e)}`);
  }
  throw new Error('expected a rejection');
}

const SYSTEM_DECODERS = { gz: ['gzip', '-dc'], xz: ['xz', '-dc'], zstd: ['zstd', '-dc'] } as const;

describe('compressStream / decompressStream', () => {
  const data = sampleXml(3000);

  it.each(['gz', 'xz', 'zstd', 'none'] as const)('round-trips %s through uneven chunks', async (kind) => {
    const compressed = await collect(chunked(data), compressStream(kind));
    if (kind !== 'none') expect(compressed.length).toBeLessThan(data.length / 2);
    const back = await collect(chunked(compressed), decompressStream(kind, { target: `x.${kind}` }));
    expect(back.equals(data)).toBe(true);
  });

  describeWithTools(['gzip', 'xz', 'zstd', 'bzip2'], 'against the system tools', () => {
    it.each(['gz', 'xz', 'zstd'] as const)('writes %s that the system tool decodes (the ending tells the truth)', async (kind) => {
      const [tool, ...args] = SYSTEM_DECODERS[kind];
      const compressed = await compressBuffer(kind, data);
      const decoded = execFileSync(tool, args, { input: compressed, maxBuffer: 64 << 20 });
      expect(decoded.equals(data)).toBe(true);
    });

    it.each(['gz', 'xz', 'zstd'] as const)('reads %s written by the system tool', async (kind) => {
      const tool = SYSTEM_DECODERS[kind][0];
      const encoded = execFileSync(tool, ['-c'], { input: data, maxBuffer: 64 << 20 });
      expect((await decompressBuffer(kind, encoded)).equals(data)).toBe(true);
    });

    it('reads bzip2 written by the system tool', async () => {
      const encoded = execFileSync('bzip2', ['-c'], { input: data, maxBuffer: 64 << 20 });
      expect((await collect(chunked(encoded), decompressStream('bz2'))).equals(data)).toBe(true);
    });
  });

  it('is deterministic: equal input gives equal bytes', async () => {
    for (const kind of ['gz', 'xz', 'zstd'] as const) {
      const a = await compressBuffer(kind, data);
      const b = await compressBuffer(kind, data);
      expect(a.equals(b)).toBe(true);
    }
    // No mtime and no file name in the gzip header.
    const gz = await compressBuffer('gz', 'x');
    expect(gz.readUInt32LE(4)).toBe(0);
    expect(gz[3] & 0x08).toBe(0);
  });

  it('produces valid files for empty content', async () => {
    for (const kind of ['gz', 'xz', 'zstd'] as const) {
      const c = await compressBuffer(kind, '');
      expect(c.length).toBeGreaterThan(0);
      expect((await decompressBuffer(kind, c)).length).toBe(0);
    }
  });

  it('reads concatenated gzip members and zstd frames', async () => {
    const gz = Buffer.concat([gzipSync('abc'), gzipSync('def')]);
    expect((await decompressBuffer('gz', gz)).toString()).toBe('abcdef');
    const z = Buffer.concat([await compressBuffer('zstd', 'abc'), await compressBuffer('zstd', 'def')]);
    expect((await decompressBuffer('zstd', z)).toString()).toBe('abcdef');
  });

  it('honours backpressure on large inputs', async () => {
    const big = Buffer.concat(Array.from({ length: 8 }, () => data));
    const codec = decompressStream('gz');
    let buffered = 0;
    let total = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _e, cb) {
        buffered = Math.max(buffered, codec.readableLength);
        total += chunk.length;
        setImmediate(cb);
      },
    });
    await pipeline(chunked(await compressBuffer('gz', big)), codec, slow);
    expect(total).toBe(big.length);
    expect(big.length).toBeGreaterThan(8 << 20);
    expect(buffered).toBeLessThan(1 << 20);
  });
});

describe('decompression errors name the file and codec', () => {
  it('rejects contents that do not match the ending', async () => {
    const xz = await compressBuffer('xz', 'hello');
    const e = await rejection(decompressBuffer('gz', xz, { target: 'repodata/abc-primary.xml.gz' }));
    expect(e.code).toBe('E_COMPRESSION');
    expect(e.message).toBe('repodata/abc-primary.xml.gz should be gzip data but is xz data');
    expect(e.target).toBe('repodata/abc-primary.xml.gz');
    expect(e.hint).toMatch(/ending/);
  });

  it('rejects plain text named .zst', async () => {
    const e = await rejection(decompressBuffer('zstd', Buffer.from('<?xml version="1.0"?>'), { target: 'o.xml.zst' }));
    expect(e.message).toBe('o.xml.zst should be zstd data but is not compressed data this tool knows');
  });

  it('rejects empty files', async () => {
    const e = await rejection(decompressBuffer('xz', Buffer.alloc(0), { target: 'f.xz' }));
    expect(e.message).toBe('f.xz is empty, expected xz data');
  });

  it.each(['gz', 'xz', 'zstd'] as const)('rejects truncated %s', async (kind) => {
    const c = await compressBuffer(kind, sampleXml(200));
    const e = await rejection(decompressBuffer(kind, c.subarray(0, Math.floor(c.length / 2)), { target: 'cut' }));
    expect(e.code).toBe('E_COMPRESSION');
    expect(e.message).toMatch(/^cut is not valid (gzip|xz|zstd) data: /);
  });

  it.each(['gz', 'xz', 'zstd'] as const)('rejects corrupted %s', async (kind) => {
    const c = await compressBuffer(kind, sampleXml(200));
    const bad = Buffer.from(c);
    for (let i = 20; i < bad.length - 20; i += 97) bad[i] ^= 0x5a;
    const e = await rejection(decompressBuffer(kind, bad, { target: 'bad' }));
    expect(e.code).toBe('E_COMPRESSION');
    expect(e.target).toBe('bad');
  });

  itWithTools(['bzip2'], 'rejects truncated bzip2', async () => {
    const encoded = execFileSync('bzip2', ['-c'], { input: sampleXml(200) });
    const e = await rejection(decompressBuffer('bz2', encoded.subarray(0, encoded.length - 30), { target: 'f.bz2' }));
    expect(e.message).toMatch(/^f\.bz2 is not valid bzip2 data: /);
  });

  it('rejects invalid levels', () => {
    expect(() => compressStream('gz', { level: 12, target: 'p.gz' })).toThrow('invalid gzip level 12 for p.gz');
  });
});

describe('openDecompressed', () => {
  it('decompresses a file by its ending and names missing files', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      await writeFile(join(dir, 'a.xml.xz'), await compressBuffer('xz', 'content'));
      expect((await collect(openDecompressed(join(dir, 'a.xml.xz')))).toString()).toBe('content');
      const e = await rejection(collect(openDecompressed(join(dir, 'missing.gz'))));
      expect(e.code).toBe('E_IO');
      expect(e.message).toContain('missing.gz');
    } finally {
      await cleanup();
    }
  });
});
