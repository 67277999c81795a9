import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { makeTempDir } from '@ovirt-repo/test-support';
import { isTempName, recoverDirectory, replaceDirectory, tempPathFor, writeFileAtomic, writeNewFileDurably } from './atomic.js';

describe('atomic file helpers', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
  afterEach(() => cleanup());

  it('writes a file atomically and leaves no temp file', async () => {
    const target = join(dir, 'sub', 'latest.txt');
    await writeFileAtomic(target, 'one\n');
    await writeFileAtomic(target, 'two\n');
    expect(await readFile(target, 'utf8')).toBe('two\n');
    expect(await readdir(join(dir, 'sub'))).toEqual(['latest.txt']);
  });

  it('writes a new file in place, and refuses to overwrite one', async () => {
    const target = join(dir, 'snapshot.json');
    await writeNewFileDurably(target, '{}\n');
    expect(await readFile(target, 'utf8')).toBe('{}\n');
    await expect(writeNewFileDurably(target, 'again')).rejects.toMatchObject({ code: 'E_IO', message: expect.stringContaining(target) });
    expect(await readFile(target, 'utf8')).toBe('{}\n');
    expect(await readdir(dir)).toEqual(['snapshot.json']);
  });

  it('writes a new file from pieces in order, more of them than one writev takes', async () => {
    const target = join(dir, 'pieces.txt');
    const pieces = Array.from({ length: 2500 }, (_, i) => Buffer.from(`${i},`));
    await writeNewFileDurably(target, pieces);
    expect(await readFile(target, 'utf8')).toBe(Array.from({ length: 2500 }, (_, i) => `${i},`).join(''));
    await writeNewFileDurably(join(dir, 'none.txt'), []);
    expect(await readFile(join(dir, 'none.txt'), 'utf8')).toBe('');
  });

  it('makes its temp file in tempDir when asked, leaving nothing there', async () => {
    const target = join(dir, 'yum', 'repo', 'index.html');
    const tempDir = join(dir, 'yum');
    await writeFileAtomic(target, 'page', { tempDir });
    expect(await readFile(target, 'utf8')).toBe('page');
    expect(await readdir(tempDir)).toEqual(['repo']);
    expect(await readdir(join(dir, 'yum', 'repo'))).toEqual(['index.html']);
  });

  it('names temp files so leftovers can be recognised', () => {
    const tmp = tempPathFor(join(dir, 'repodata'));
    expect(isTempName(tmp.split('/').at(-1)!)).toBe(true);
    expect(isTempName('repodata')).toBe(false);
  });

  it('replaces a directory with a staged one', async () => {
    const target = join(dir, 'repodata');
    const staged = join(dir, '.staged');
    await mkdir(target);
    await writeFile(join(target, 'old.xml'), 'old');
    await mkdir(staged);
    await writeFile(join(staged, 'new.xml'), 'new');
    await replaceDirectory(staged, target);
    expect(await readdir(target)).toEqual(['new.xml']);
    expect(await readdir(dir)).toEqual(['repodata']);
  });

  it('recovers the previous directory parked by a writer killed between renames', async () => {
    const target = join(dir, 'repodata');
    await mkdir(target);
    await writeFile(join(target, 'repomd.xml'), 'kept');
    // Simulate the kill: the first rename happened, the second did not.
    await rename(target, tempPathFor(target, '.old'));
    expect(await recoverDirectory(target)).toBe(true);
    expect(await readFile(join(target, 'repomd.xml'), 'utf8')).toBe('kept');
    expect(await recoverDirectory(target)).toBe(false);
  });

  it('makes temp names that fit beside a target whose name takes all 255 bytes', async () => {
    for (const name of ['x'.repeat(251) + '.rpm', 'é'.repeat(125) + 'x.rpm', `${'€'.repeat(84)}xyz`]) {
      expect(Buffer.byteLength(name)).toBe(255);
      const target = join(dir, name);
      const temp = basename(tempPathFor(target, '.old'));
      expect(Buffer.byteLength(temp)).toBeLessThanOrEqual(255);
      expect(temp).not.toContain('\uFFFD');
      expect(isTempName(basename(tempPathFor(target)))).toBe(true);
      await writeFileAtomic(target, 'one\n');
      await writeFileAtomic(target, 'two\n');
      expect(await readFile(target, 'utf8')).toBe('two\n');
    }
    expect((await readdir(dir)).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('replaces and recovers a directory whose name takes all 255 bytes', async () => {
    const target = join(dir, 'd'.repeat(255));
    const staged = join(dir, 'staged');
    await mkdir(target);
    await writeFile(join(target, 'f'), 'old');
    await mkdir(staged);
    await writeFile(join(staged, 'f'), 'new');
    await replaceDirectory(staged, target);
    expect(await readFile(join(target, 'f'), 'utf8')).toBe('new');
    await rename(target, tempPathFor(target, '.old'));
    expect(await recoverDirectory(target)).toBe(true);
    expect(await readFile(join(target, 'f'), 'utf8')).toBe('new');
  });
});
