import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@ovirt-repo/test-support';
import { expandFileArgs, expandGlob, hasGlob, segmentToRegExp } from './glob.js';

describe('segmentToRegExp', () => {
  it.each([
    ['*.repo', 'reposync-config.repo', true],
    ['*.repo', 'a.repo.bak', false],
    ['*.repo', '.hidden.repo', false],
    ['.*.repo', '.hidden.repo', true],
    ['reposync-?.repo', 'reposync-1.repo', true],
    ['reposync-?.repo', 'reposync-10.repo', false],
    ['el[78].repo', 'el8.repo', true],
    ['el[78].repo', 'el9.repo', false],
    ['el[!78].repo', 'el9.repo', true],
    ['el[^78].repo', 'el7.repo', false],
    ['el[0-9].repo', 'el5.repo', true],
    ['[]]x', ']x', true],
    ['a[b', 'a[b', true],
    ['\\*.repo', '*.repo', true],
    ['\\*.repo', 'x.repo', false],
    ['a(b)+c$.repo', 'a(b)+c$.repo', true],
  ])('%s matches %s: %s', (pattern, name, expected) => expect(segmentToRegExp(pattern).test(name)).toBe(expected));

  it('knows what is a pattern', () => {
    expect(hasGlob('a/*.repo')).toBe(true);
    expect(hasGlob('a/b.repo')).toBe(false);
  });
});

describe('expandGlob and expandFileArgs', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    for (const f of ['a.repo', 'b.repo', 'c.conf', 'suite/x.repo', 'suite/deep/y.repo', 'suite/.hidden/z.repo', 'odd[1].repo']) {
      await mkdir(join(dir, f, '..'), { recursive: true });
      await writeFile(join(dir, f), '');
    }
    await mkdir(join(dir, 'dir.repo'));
    await symlink(join(dir, 'suite'), join(dir, 'loop'));
  });
  afterAll(() => cleanup());

  it('matches files only, sorted', async () => {
    expect(await expandGlob('*.repo', dir)).toEqual([join(dir, 'a.repo'), join(dir, 'b.repo'), join(dir, 'odd[1].repo')]);
    expect(await expandGlob(join(dir, '*.conf'))).toEqual([join(dir, 'c.conf')]);
  });

  it('** descends any number of directories, not into hidden ones or through symlinks', async () => {
    expect(await expandGlob('suite/**/*.repo', dir)).toEqual([join(dir, 'suite/deep/y.repo'), join(dir, 'suite/x.repo')]);
    expect((await expandGlob('**/y.repo', dir)).map((p) => p.slice(dir.length))).toEqual(['/suite/deep/y.repo']);
  });

  it('takes an existing file literally even when its name looks like a pattern, and dedupes', async () => {
    expect(await expandFileArgs(['odd[1].repo', 'a.repo', '*.repo'], dir)).toEqual([
      join(dir, 'a.repo'),
      join(dir, 'b.repo'),
      join(dir, 'odd[1].repo'),
    ]);
  });

  it('fails on a missing file or a pattern that matches nothing', async () => {
    await expect(expandFileArgs(['missing.repo'], dir)).rejects.toMatchObject({ code: 'E_NOT_FOUND', message: 'missing.repo: no such file' });
    await expect(expandFileArgs(['*.nothing'], dir)).rejects.toMatchObject({ code: 'E_NOT_FOUND', message: '*.nothing: the pattern matches no file' });
  });

  it('matches only regular files, but takes a path named as such whatever it is, for the reader to say what it is', async () => {
    expect(await expandFileArgs(['*.repo'], dir)).not.toContain(join(dir, 'dir.repo'));
    expect(await expandFileArgs(['dir.repo'], dir)).toEqual([join(dir, 'dir.repo')]);
  });
});
