import { spawnSync } from 'node:child_process';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { makeTempDir } from '@ovirt-repo/test-support';
import { copyFileVerified, hashBuffer } from '../checksum/index.js';
import { EntrySplitter } from './entry-splitter.js';
import { MAX_REPOMD_SIZE, OPEN_SIZE_MARGIN } from './metadata-limits.js';
import { listPackageEntries, readPackageEntries } from './package-entries.js';
import { primaryHeader } from './package-xml.js';
import { readPrimary } from './primary-reader.js';
import { readRepomd } from './repomd-reader.js';
import { makePackage } from './sample-package.spec.helper.js';
import { writeRepodata } from './writer.js';
import { MAX_XML_RUN } from './xml-events.js';

const MiB = 1 << 20;

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** A primary.xml.gz that starts like ours and then holds `spaces` spaces inside its first package. */
function primaryBomb(spaces: number): Buffer {
  const head = `${primaryHeader(1)}<package type="rpm">\n`;
  return gzipSync(Buffer.concat([Buffer.from(head), Buffer.alloc(spaces, 0x20)]), { level: 1 });
}

describe('reading metadata within bounds', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir('bounds-')));
  afterEach(() => cleanup());

  describe('what a file decompresses to', () => {
    it('stops parsing just past the open-size repomd.xml declares', async () => {
      const path = join(dir, 'primary.xml.gz');
      await writeFile(path, primaryBomb(64 * MiB));
      const err = await collect(readPrimary(path, { openSize: 1000 })).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_SIZE_MISMATCH', message: expect.stringMatching(/^primary\.xml\.gz decompresses to more than the open-size 1000 repomd\.xml declares for it \(stopped after \d+ bytes\)$/) });
      const { limit, actual } = (err as { data: { limit: number; actual: number } }).data;
      expect(limit).toBe(1000 + OPEN_SIZE_MARGIN);
      expect(actual).toBeGreaterThan(limit);
      expect(actual).toBeLessThan(limit + MiB);
    });

    it('stops splitting by layout at the same place, without reading the file as one text', async () => {
      const path = join(dir, 'primary.xml.gz');
      await writeFile(path, primaryBomb(64 * MiB));
      await expect(readPackageEntries('primary', path, { openSize: 1000 })).rejects.toMatchObject({ code: 'E_SIZE_MISMATCH', data: { limit: 1000 + OPEN_SIZE_MARGIN } });
    });

    it('holds a file without an open-size to the ceiling, and says how to raise it', async () => {
      const path = join(dir, 'primary.xml.gz');
      await writeFile(path, primaryBomb(8 * MiB));
      const err = await collect(readPrimary(path, { maxSize: 2 * MiB })).catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 'E_SIZE_MISMATCH',
        message: expect.stringMatching(/^primary\.xml\.gz decompresses to more than 2097152 bytes, the most a metadata file may \(stopped after \d+ bytes; repomd\.xml declares no open-size\)$/),
        hint: expect.stringContaining('--max-metadata-size'),
        data: { limit: 2 * MiB },
      });
      // An open-size above the ceiling does not lift it.
      await expect(collect(readPrimary(path, { maxSize: 2 * MiB, openSize: 100 * MiB }))).rejects.toMatchObject({ data: { limit: 2 * MiB, expected: 100 * MiB } });
    });

    it('refuses a run of text longer than any repodata holds, whatever the sizes declared', async () => {
      const path = join(dir, 'primary.xml');
      await writeFile(path, `${primaryHeader(1)}<package type="rpm">\n<description>${'a'.repeat(MAX_XML_RUN + MiB)}</description>`);
      await expect(collect(readPrimary(path))).rejects.toMatchObject({ code: 'E_REPODATA_INVALID', message: expect.stringContaining(`has more than ${MAX_XML_RUN} characters without a tag`) });
    });
  });

  describe('the bytes of a file', () => {
    it('stop as soon as they pass the size repomd.xml declares', async () => {
      const path = join(dir, 'primary.xml.gz');
      const data = primaryBomb(4 * MiB);
      await writeFile(path, Buffer.concat([data, Buffer.alloc(8 * MiB)]));
      const expected = { checksum: hashBuffer(data, 'sha256'), size: data.length };
      const err = await collect(readPrimary(path, { expected })).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_SIZE_MISMATCH', message: expect.stringContaining(`is larger than the ${data.length} bytes repomd.xml declares for it`), data: { expected: data.length } });
      expect((err as { data: { actual: number } }).data.actual).toBeLessThan(data.length + MiB);
    });

    it('are copied only as far as their expected size', async () => {
      const source = join(dir, 'comps.xml');
      await writeFile(source, Buffer.alloc(8 * MiB, 0x20));
      const dest = join(dir, 'copy');
      const err = await copyFileVerified(source, dest, { size: 1000 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_SIZE_MISMATCH', message: expect.stringMatching(new RegExp(`^${source} is larger than the 1000 bytes expected \\(stopped after \\d+ bytes\\)$`)) });
      await expect(readFile(dest)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('of repomd.xml are at most MAX_REPOMD_SIZE', async () => {
      const path = join(dir, 'repomd.xml');
      await writeFile(path, `<repomd>${' '.repeat(MAX_REPOMD_SIZE)}</repomd>`);
      await expect(readRepomd(path)).rejects.toMatchObject({ code: 'E_SIZE_MISMATCH', message: expect.stringContaining(`${path} is larger than ${MAX_REPOMD_SIZE} bytes`) });
    });
  });

  describe('special files where a regular file is expected', () => {
    async function special(kind: 'zero' | 'fifo' | 'directory', name: string): Promise<string> {
      const path = join(dir, name);
      if (kind === 'zero') await symlink('/dev/zero', path);
      else if (kind === 'directory') await mkdir(path);
      else expect(spawnSync('mkfifo', [path]).status).toBe(0);
      return path;
    }
    const WHAT = { zero: 'character device', fifo: 'FIFO', directory: 'directory' } as const;

    it.each(['zero', 'fifo', 'directory'] as const)('are refused, at once, as a %s', async (kind) => {
      const started = Date.now();
      const primary = await special(kind, 'primary.xml.gz');
      const refused = (path: string) => ({ code: 'E_IO', message: `${path} is a ${WHAT[kind]}, not a regular file`, hint: expect.stringContaining('regular files') });
      await expect(collect(readPrimary(primary, { name: primary }))).rejects.toMatchObject(refused(primary));
      await expect(readPackageEntries('primary', primary, { name: primary })).rejects.toMatchObject(refused(primary));
      await expect(copyFileVerified(primary, join(dir, 'copy'), {})).rejects.toMatchObject(refused(primary));
      const repomd = await special(kind, 'repomd.xml');
      await expect(readRepomd(repomd)).rejects.toMatchObject(refused(repomd));
      expect(Date.now() - started).toBeLessThan(5000);
    });
  });

  describe('splitting by layout as text arrives', () => {
    it('gives the entries listPackageEntries gives the whole text, in pieces of any size', async () => {
      const summary = await writeRepodata({ outDir: join(dir, 'repodata'), packages: [1, 2, 3, 4].map((i) => makePackage(i)), revision: '1', fsync: false, env: {}, compression: 'none' });
      for (const type of ['primary', 'filelists', 'other'] as const) {
        const record = summary.records.find((r) => r.type === type)!;
        const text = await readFile(join(dir, record.location.href), 'utf8');
        const whole = listPackageEntries(type, text);
        expect(whole).toHaveLength(4);
        for (const size of [1, 7, 300]) {
          const splitter = new EntrySplitter(type);
          for (let i = 0; i < text.length; i += size) expect(splitter.write(text.slice(i, i + size))).toBe(true);
          expect(splitter.end()).toEqual(whole);
        }
        expect(await readPackageEntries(type, join(dir, record.location.href))).toEqual(whole);
      }
    });

    it('says at once when the text departs from the layout', () => {
      const splitter = new EntrySplitter('primary');
      expect(splitter.write(`${primaryHeader(2)}<package type="rpm">\n</package>\n<package type="src">`)).toBe(false);
      expect(splitter.end()).toBeUndefined();
      expect(new EntrySplitter('primary').write('\0'.repeat(600))).toBe(false);
      const footer = new EntrySplitter('other');
      expect(footer.write('<?xml version="1.0" encoding="UTF-8"?>\n<otherdata xmlns="http://linux.duke.edu/metadata/other" packages="0">\n</otherdata>')).toBe(true);
      expect(footer.write('trailing')).toBe(false);
    });
  });
});
