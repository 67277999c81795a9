import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@ovirt-repo/test-support';
import { injectFiles } from '../src/lib/inject.js';

const CONFIG = '[main]\ngpgcheck = 1\n\n[r-el8]\nname = R\nmetalink = https://mirrors.example.org/metalink?repo=r-8\ngpgcheck = 1\n';

/**
 * Maps that must be refused as a whole: the error is checked, and neither the config nor the lock may
 * have been touched.
 */
describe('inject refuses a hostile or malformed map and changes nothing', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    await writeFile(join(dir, 'c.repo'), CONFIG);
  });
  afterEach(() => cleanup());

  async function refused(mirrors: string): Promise<unknown> {
    const before = await stat(join(dir, 'c.repo'));
    let error: unknown;
    try {
      await injectFiles({ files: ['c.repo'], mirrors, lockOut: 'run.lock.json', cwd: dir });
    } catch (e) {
      error = e;
    }
    expect(await readFile(join(dir, 'c.repo'), 'utf8')).toBe(CONFIG);
    expect((await stat(join(dir, 'c.repo'))).mtimeMs).toBe(before.mtimeMs);
    await expect(stat(join(dir, 'run.lock.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    return error;
  }

  it('a JSON map with a key twice', async () => {
    const map = join(dir, 'map.json');
    await writeFile(map, '{"latest_ci_repos": {\n  "r-el8": "http://s/yum/r-el8/1",\n  "r-el8": "http://evil/r"\n}}\n');
    expect(await refused(map)).toMatchObject({
      code: 'E_CONFIG_INVALID',
      message: `${map}:3: not valid JSON: key "r-el8" appears twice (first on line 2)`,
      data: { line: 3, key: 'r-el8' },
    });
  });

  it('a YAML map with an alias bomb', async () => {
    const map = join(dir, 'map.yaml');
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) levels.push(`${'abcdefghi'[i]}: &${'abcdefghi'[i]} [${Array(10).fill(`*${'abcdefghi'[i - 1]}`).join(', ')}]`);
    await writeFile(map, `${levels.join('\n')}\nr-el8: http://s/yum/r-el8/1\n`);
    expect(await refused(map)).toMatchObject({
      code: 'E_CONFIG_INVALID',
      message: expect.stringMatching(/^\S+map\.yaml: not valid YAML: its aliases expand to more than \d+ nodes \(an alias bomb\)$/),
    });
  });
});
