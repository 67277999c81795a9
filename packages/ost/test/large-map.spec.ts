import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatRunLock, type RunLock } from '@ovirt-repo/core';
import { makeTempDir } from '@ovirt-repo/test-support';
import { injectFiles } from '../src/lib/inject.js';

/**
 * Issue 15 item 24: inject time grew with the square of the map's size (100,000 repos: 55-81 s; this
 * test's map, include and lock together did not end within 7 minutes). Every step must be linear (or
 * n log n): here that is a few seconds. The test's timeout is a hang detector with a wide margin, not a
 * speed goal (speed is measured by `npm run bench`).
 */
describe('inject scales linearly with the size of the map', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
  afterAll(() => cleanup());

  /** A map of n repos plus an include:before: of n more (one distro, so all before one section), a config
   *  naming a tenth of them (half without options), and a lock of n insertions before one section. */
  async function prepare(n: number): Promise<{ run: () => Promise<void> }> {
    const at = join(dir, String(n));
    await mkdir(at);
    const repos: Record<string, string> = {};
    const included: Record<string, string> = {};
    for (let i = 0; i < n; i++) {
      repos[`r${i}-el8`] = `http://s/yum/r${i}-el8/2024-05-01T10-00-00Z`;
      included[`i${i}-el8`] = `http://s/yum/i${i}-el8/2024-05-01T10-00-00Z`;
    }
    await writeFile(join(at, 'included.json'), JSON.stringify({ latest_ci_repos: included }));
    await writeFile(join(at, 'map.json'), JSON.stringify({ latest_ci_repos: { ...repos, 'include:before:': [['target', 'included.json']] } }));
    const sections = ['[main]\ngpgcheck = 0\n', '[target-el8]\nname = target\n'];
    for (let i = 0; i < n / 10; i++) sections.push(i % 2 ? `[r${i}-el8]\nname = r${i}\nmirrorlist = http://m/${i}\n` : `[r${i}-el8]\n`);
    const config = sections.join('\n');
    const lock: RunLock = {
      version: 1,
      createdAt: '2024-05-01T12:00:00.000Z',
      createdBy: 'ovirt-repo/test',
      map: { uri: null, varname: 'latest_ci_repos', sources: [] },
      options: { allowProxy: false, noneValue: null },
      entries: Object.entries(included).map(([repo, url]) => ({ repo, url, before: 'target-el8', repomd: null })),
      files: [],
    };
    await writeFile(join(at, 'run.lock.json'), await formatRunLock(lock));
    return {
      run: async () => {
        await writeFile(join(at, 'a.repo'), config);
        await writeFile(join(at, 'b.repo'), config);
        const fromMap = await injectFiles({ files: ['a.repo'], mirrors: join(at, 'map.json'), cwd: at });
        const fromLock = await injectFiles({ files: ['b.repo'], fromLock: 'run.lock.json', cwd: at });
        expect(fromMap.files[0]).toMatchObject({ changed: true });
        expect(fromMap.files[0]!.injected).toHaveLength(n / 10);
        expect(fromMap.files[0]!.inserted).toHaveLength(n);
        expect(fromLock.files[0]!.inserted).toHaveLength(n);
      },
    };
  }

  it('100,000 repos, from a map with an include and from a lock', async () => {
    await (await prepare(100_000)).run();
  }, 120_000);
});
