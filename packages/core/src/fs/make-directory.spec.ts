import { mkdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@ovirt-repo/test-support';
import { makeDirectory } from './make-directory.js';

describe('makeDirectory', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
  afterEach(() => cleanup());

  it('makes every missing ancestor, and accepts an existing directory or a link to one', async () => {
    const deep = join(dir, 'a', 'b', 'c');
    await makeDirectory(deep);
    expect((await stat(deep)).isDirectory()).toBe(true);
    await makeDirectory(deep);
    await mkdir(join(dir, 'real'));
    await symlink('real', join(dir, 'link'));
    await makeDirectory(join(dir, 'link', 'x'));
    expect((await stat(join(dir, 'real', 'x'))).isDirectory()).toBe(true);
  });

  it('is safe when several callers make the same tree at once', async () => {
    const deep = join(dir, 'p', 'q', 'r', 's');
    await Promise.all(Array.from({ length: 8 }, () => makeDirectory(deep)));
    expect((await stat(deep)).isDirectory()).toBe(true);
  });

  it('fails with E_IO naming the file in the way', async () => {
    await writeFile(join(dir, 'file'), 'x');
    await expect(makeDirectory(join(dir, 'file'))).rejects.toMatchObject({ code: 'E_IO', target: join(dir, 'file'), message: expect.stringContaining('not a directory') });
    await expect(makeDirectory(join(dir, 'file', 'sub'))).rejects.toMatchObject({ code: 'E_IO', message: expect.stringContaining(join(dir, 'file')) });
    await symlink(join(dir, 'nowhere'), join(dir, 'dangling'));
    await expect(makeDirectory(join(dir, 'dangling', 'sub'))).rejects.toMatchObject({ code: 'E_IO', target: join(dir, 'dangling') });
  });

  // Node's mkdir(path, { recursive: true }) loops for ever here: mkdir says ENOENT although /proc exists.
  it('fails at once, naming the path, where the filesystem cannot create it (/proc)', async () => {
    await expect(makeDirectory('/proc/ovirt-store/pool')).rejects.toMatchObject({
      code: 'E_IO',
      target: '/proc/ovirt-store',
      message: expect.stringContaining('cannot create directory /proc/ovirt-store'),
      hint: expect.stringContaining('writable filesystem'),
    });
  }, 5000);

  it('returns the first directory it made, as Node does, and applies the mode to each', async () => {
    expect(await makeDirectory(join(dir, 'm', 'n'), { mode: 0o700 })).toBe(join(dir, 'm'));
    expect((await stat(join(dir, 'm'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 'm', 'n'))).mode & 0o777).toBe(0o700);
    expect(await makeDirectory(join(dir, 'm', 'n'))).toBeUndefined();
    expect(await makeDirectory(join(dir, 'm', 'o'))).toBe(join(dir, 'm', 'o'));
  });
});
