import { execFileSync } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { itWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { decompressBuffer } from '../compress/index.js';
import { isOvirtRepoError, type OvirtRepoError } from '../errors/index.js';
import {
  CompressedFileWriter,
  copyFileVerified,
  hashBuffer,
  hashFile,
  hashStream,
  isHexDigest,
  parseChecksumType,
} from './index.js';

async function rejection(p: Promise<unknown>): Promise<OvirtRepoError> {
  try {
    await p;
  } catch (e) {
    if (isOvirtRepoError(e)) return e;
    throw new Error(`expected an OvirtRepoError, got ${String(e)}`);
  }
  throw new Error('expected a rejection');
}

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
afterAll(() => cleanup());

describe('hashing', () => {
  it('computes every repodata checksum type; "sha" is sha1', () => {
    expect(hashBuffer('abc', 'sha256').value).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashBuffer('abc', 'sha').value).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(hashBuffer('abc', 'sha1').value).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(hashBuffer('abc', 'md5').value).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(hashBuffer('abc', 'sha224').value).toHaveLength(56);
    expect(hashBuffer('abc', 'sha384').value).toHaveLength(96);
    expect(hashBuffer('abc', 'sha512').value).toHaveLength(128);
    expect(isHexDigest('sha256', hashBuffer('x', 'sha256').value)).toBe(true);
    expect(isHexDigest('sha256', 'abc')).toBe(false);
  });

  it('parses checksum names and rejects unknown ones', () => {
    expect(parseChecksumType('SHA256')).toBe('sha256');
    expect(() => parseChecksumType('crc32', 'repomd.xml')).toThrow('unknown checksum type "crc32" for repomd.xml');
  });

  it('hashes files and streams with their size', async () => {
    const path = join(dir, 'f.bin');
    await writeFile(path, 'hello world');
    expect(await hashFile(path, 'sha256')).toEqual({
      type: 'sha256',
      value: 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9',
      size: 11,
    });
    expect(await hashStream(Readable.from([Buffer.from('hello '), Buffer.from('world')]), 'sha1')).toMatchObject({
      value: '2aae6c35c94fcfb415dbe95f408b9ce91ee846ed',
      size: 11,
    });
    const e = await rejection(hashFile(join(dir, 'nope'), 'sha256'));
    expect(e.code).toBe('E_IO');
    expect(e.message).toContain(join(dir, 'nope'));
  });
});

describe('CompressedFileWriter', () => {
  const content = Array.from({ length: 5000 }, (_, i) => `<file>/usr/share/doc/pkg-${i}/README-ü</file>\n`).join('');

  it.each(['gz', 'xz', 'zstd', 'none'] as const)(
    'computes compressed and open checksums of %s in one pass',
    async (compression) => {
      const path = join(dir, `out-${compression}`);
      const writer = new CompressedFileWriter(path, { compression, checksumType: 'sha256' });
      for (let i = 0; i < content.length; i += 777) await writer.write(content.slice(i, i + 777));
      const result = await writer.end();
      const onDisk = await readFile(path);
      expect(result.checksum).toEqual({ type: 'sha256', value: hashBuffer(onDisk, 'sha256').value, size: onDisk.length });
      const open = Buffer.from(content, 'utf8');
      expect(result.openChecksum).toEqual({ type: 'sha256', value: hashBuffer(open, 'sha256').value, size: open.length });
      expect((await decompressBuffer(compression, onDisk)).equals(open)).toBe(true);
    },
  );

  itWithTools(['gzip'], 'writes gzip that the system gzip reads', async () => {
    const path = join(dir, 'out-system.gz');
    const writer = new CompressedFileWriter(path, { compression: 'gz', checksumType: 'sha256' });
    await writer.write(content);
    await writer.end();
    expect(execFileSync('gzip', ['-dc', path]).toString('utf8')).toBe(content);
  });

  it('fails with E_IO naming the path when the file cannot be created', async () => {
    const path = join(dir, 'missing-dir', 'x.gz');
    const writer = new CompressedFileWriter(path, { compression: 'gz', checksumType: 'sha256' });
    const e = await rejection(
      (async () => {
        for (let i = 0; i < 100; i++) await writer.write(content);
        await writer.end();
      })(),
    );
    expect(e.code).toBe('E_IO');
    expect(e.message).toContain(path);
  });

  it('abort removes the partial file', async () => {
    const path = join(dir, 'aborted.gz');
    const writer = new CompressedFileWriter(path, { compression: 'gz', checksumType: 'sha256' });
    await writer.write(content);
    await writer.abort();
    await expect(stat(path)).rejects.toThrow();
  });
});

describe('copyFileVerified', () => {
  it('copies when the content matches and refuses (removing the copy) when it does not', async () => {
    const src = join(dir, 'src.xml');
    await writeFile(src, 'data');
    const good = hashBuffer('data', 'sha256');
    await copyFileVerified(src, join(dir, 'dst1'), { checksum: good, size: 4 });
    expect(await readFile(join(dir, 'dst1'), 'utf8')).toBe('data');

    const sizeErr = await rejection(copyFileVerified(src, join(dir, 'dst2'), { checksum: good, size: 5 }));
    expect(sizeErr.code).toBe('E_SIZE_MISMATCH');
    expect(sizeErr.message).toBe(`${src} has 4 bytes, expected 5`);
    await expect(stat(join(dir, 'dst2'))).rejects.toThrow();

    const sumErr = await rejection(
      copyFileVerified(src, join(dir, 'dst3'), { checksum: { type: 'sha256', value: 'AB'.repeat(32) } }),
    );
    expect(sumErr.code).toBe('E_CHECKSUM_MISMATCH');
    expect(sumErr.data).toMatchObject({ expected: 'ab'.repeat(32), actual: good.value });
  });
});
