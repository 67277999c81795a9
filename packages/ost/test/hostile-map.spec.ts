import { execFile } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { displayUri } from '@ovirt-repo/core';
import { makeTempDir } from '@ovirt-repo/test-support';
import { injectFiles } from '../src/lib/inject.js';
import { startServer } from './helpers/http-server.js';

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

  // Item 6 and 22: what a map says is written into the config, so anything that is not one plain value
  // would add options (gpgcheck=0, sslverify=0), sections or a second baseurl there.
  it.each([
    ['a line feed adding an option', 'http://s/r\ngpgcheck=0', 'contains a line feed (LF) at character 11'],
    ['a line feed adding a section', 'http://s/r\n[evil]\nbaseurl=http://evil/', 'contains a line feed (LF) at character 11'],
    ['a continuation line adding a second baseurl', 'http://s/r\n  http://evil/', 'contains a line feed (LF) at character 11'],
    ['a lone CR, a line break for Python', 'http://s/r\rgpgcheck=0', 'contains a carriage return (CR) at character 11'],
    ['a NUL', 'http://s/r\u0000x', 'contains a NUL character at character 11'],
    ['a Unicode line separator', 'http://s/r\u2028sslverify=0', 'contains a Unicode line separator (U+2028) at character 11'],
    ['a second URL after a space', 'http://s/r http://evil/', 'contains a space at character 11'],
    ['a second URL after a comma', 'http://s/r,http://evil/', 'contains a comma at character 11'],
    ['a scheme dnf does not read', 'gopher://s/r', 'has the scheme "gopher:"'],
  ])('a URL with %s', async (_what, url, problem) => {
    const map = join(dir, 'map.json');
    await writeFile(map, `{\n  "other-el8": "http://s/o",\n  "r-el8": ${JSON.stringify(url)}\n}\n`);
    expect(await refused(map)).toMatchObject({
      code: 'E_CONFIG_INVALID',
      message: expect.stringContaining(`${map}:3: repo "r-el8": the URL ${problem}`),
      data: { uri: map, line: 3, key: 'r-el8' },
    });
  });

  it.each([
    ['a "]" in an inserted repo id', ['x]y', 'http://s/x'], 'the repo id "x]y" contains a "]" at character 2'],
    ['a line feed in an inserted repo id', ['x\n[main]', 'http://s/x'], 'the repo id "x\\n[main]" contains a line feed (LF) at character 2'],
    ['a character dnf refuses in a repo id', ['exp+1', 'http://s/x'], 'the repo id "exp+1" contains "+" at character 4'],
    ['a line feed in an inserted URL', ['x', 'http://s/x\nsslverify=0'], 'the URL contains a line feed (LF) at character 11'],
  ])('an insertion with %s', async (_what, pair, problem) => {
    const map = join(dir, 'map.json');
    await writeFile(map, `{\n  "before:r-el8": [${JSON.stringify(pair)}]\n}\n`);
    expect(await refused(map)).toMatchObject({
      code: 'E_CONFIG_INVALID',
      message: expect.stringContaining(`${map}:2: "before:r-el8" item 1: ${problem}`),
      data: { uri: map, line: 2, key: 'before:r-el8' },
    });
  });

  it('a repo key with a line feed', async () => {
    const map = join(dir, 'map.json');
    await writeFile(map, '{\n  "r-el8\\n[x]": "http://s/r"\n}\n');
    expect(await refused(map)).toMatchObject({ code: 'E_CONFIG_INVALID', message: expect.stringContaining(`${map}:2: repo "r-el8\\n[x]": the name contains a line feed (LF) at character 6`) });
  });

  // Item 17: what a document read over http(s) names is never read from, or pointed at, this machine.
  it('a served map that includes a local file, or names local paths as URLs', async () => {
    const secret = join(dir, 'secret.txt');
    await writeFile(secret, 'root:x:0:0:s3cr3t-line\n');
    const dataInclude = `data:application/json,${JSON.stringify({ 'include:': [secret] })}`;
    const s = await startServer({
      '/file-include.json': JSON.stringify({ 'include:': [`file://${secret}`] }),
      '/before-include.json': JSON.stringify({ 'include:before:': [['p', `file://${secret}`]] }),
      '/data-include.json': JSON.stringify({ 'include:': [dataInclude] }),
      '/file-url.json': JSON.stringify({ 'r-el8': 'file:///srv/store/yum/r-el8/1' }),
      '/insertion-url.json': JSON.stringify({ 'before:r-el8': [['x', 'file:///srv/x']] }),
    });
    try {
      for (const [doc, message] of [
        ['file-include.json', `${s.url}/file-include.json:1: "include:" item 1 names a local file (file://${secret}); a map read over http(s) may only include http(s) or data: URLs`],
        ['before-include.json', `${s.url}/before-include.json:1: "include:before:" item 1 names a local file (file://${secret}); a map read over http(s) may only include http(s) or data: URLs`],
        ['data-include.json', `${displayUri(dataInclude)}:1: "include:" item 1 names a local file (${secret}); a map read over http(s) may only include http(s) or data: URLs`],
        ['file-url.json', `${s.url}/file-url.json:1: repo "r-el8": the URL names a local file (file:///srv/store/yum/r-el8/1); a map read over http(s) may only name http(s) URLs`],
        ['insertion-url.json', `${s.url}/insertion-url.json:1: "before:r-el8" item 1: the URL names a local file (file:///srv/x); a map read over http(s) may only name http(s) URLs`],
      ]) {
        const error = await refused(`${s.url}/${doc}`);
        expect(error).toMatchObject({ code: 'E_UNSAFE_PATH', message, hint: expect.any(String) });
        expect(JSON.stringify(error)).not.toContain('s3cr3t');
      }
      // Only the maps themselves were read, and nothing of the secret file was.
      expect(s.requests.every((r) => r.endsWith('.json'))).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('a map that is not a map at all is described without quoting it', async () => {
    const secret = join(dir, 'passwd');
    await writeFile(secret, 'root:x:0:0:s3cr3t-line:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/bin/false\n');
    const error = await refused(secret);
    expect(error).toMatchObject({ code: 'E_CONFIG_INVALID', message: `${secret}:1: the mirror map must be an object of repo names to URLs, got a string` });
    expect(JSON.stringify(error)).not.toContain('s3cr3t');
  });

  // Item 22: a lock is applied as a map is, so a tampered one carries the same payloads.
  it.each([
    ['an injected URL with a line feed', { repo: 'r-el8', url: 'http://s/r\ngpgcheck=0' }, 'entries[0].url', 'the URL contains a line feed (LF) at character 11'],
    ['an injected URL with a lone CR', { repo: 'r-el8', url: 'http://s/r\rgpgcheck=0' }, 'entries[0].url', 'the URL contains a carriage return (CR) at character 11'],
    ['an injected URL with a second URL', { repo: 'r-el8', url: 'http://s/r,http://evil/' }, 'entries[0].url', 'the URL contains a comma at character 11'],
    ['an inserted repo id with "]"', { repo: 'x]\n[y', url: 'http://s/x', before: 'r-el8' }, 'entries[0].repo', 'the repo id contains a "]" at character 2'],
    ['a section name with a line feed', { repo: 'x', url: 'http://s/x', before: 'r-el8\n' }, 'entries[0].before', 'the section name contains a line feed (LF) at character 6'],
  ])('a tampered lock with %s', async (_what, entry, key, problem) => {
    const lock = join(dir, 'tampered.lock.json');
    const text = JSON.stringify(
      {
        version: 1,
        createdAt: '2024-05-01T12:00:00.000Z',
        createdBy: 'ovirt-repo/0.1.0',
        map: { uri: 'http://s/yum/all_latest.json', varname: 'latest_ci_repos', sources: [] },
        options: { allowProxy: false, noneValue: null },
        entries: [{ ...entry, repomd: null }],
        files: [],
      },
      null,
      2,
    );
    await writeFile(lock, text);
    const line = text.split('\n').findIndex((l) => l.includes(`"${key.split('.')[1]}":`)) + 1;
    const before = await stat(join(dir, 'c.repo'));
    await expect(injectFiles({ files: ['c.repo'], fromLock: lock, cwd: dir })).rejects.toMatchObject({
      code: 'E_CONFIG_INVALID',
      message: expect.stringContaining(`${lock}:${line}: not a valid lock file: ${key}: ${problem}`),
      data: { file: lock, line, key },
    });
    expect(await readFile(join(dir, 'c.repo'), 'utf8')).toBe(CONFIG);
    expect((await stat(join(dir, 'c.repo'))).mtimeMs).toBe(before.mtimeMs);
  });

  it('a tampered lock whose no-proxy value adds an option, and --none-value doing the same', async () => {
    const lock = join(dir, 'tampered.lock.json');
    const body = {
      version: 1,
      createdAt: '2024-05-01T12:00:00.000Z',
      createdBy: 'ovirt-repo/0.1.0',
      map: { uri: null, varname: 'latest_ci_repos', sources: [] },
      options: { allowProxy: false, noneValue: '_none_\nsslverify=0' },
      entries: [{ repo: 'r-el8', url: 'http://s/r', repomd: null }],
      files: [],
    };
    await writeFile(lock, JSON.stringify(body, null, 2));
    await expect(injectFiles({ files: ['c.repo'], fromLock: lock, cwd: dir })).rejects.toMatchObject({
      code: 'E_CONFIG_INVALID',
      message: expect.stringMatching(/not a valid lock file: options\.noneValue: the value contains a line feed \(LF\) at character 7$/),
    });
    await expect(injectFiles({ files: ['c.repo'], mirrors: 'data:application/json,{"r-el8": "http://s/r"}', noneValue: 'None\rsslverify=0', cwd: dir })).rejects.toMatchObject({
      code: 'E_USAGE',
      message: '--none-value contains a carriage return (CR) at character 5',
    });
    expect(await readFile(join(dir, 'c.repo'), 'utf8')).toBe(CONFIG);
  });

  it('a lock that is not a regular file is refused without waiting for it to end', async () => {
    const fifo = join(dir, 'fifo.lock.json');
    await promisify(execFile)('mkfifo', [fifo]);
    await expect(injectFiles({ files: ['c.repo'], fromLock: fifo, cwd: dir })).rejects.toMatchObject({
      code: 'E_USAGE',
      message: `${fifo} is not a regular file: not a lock file`,
    });
    expect(await readFile(join(dir, 'c.repo'), 'utf8')).toBe(CONFIG);
  });
});
