import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeTempDir } from '@ovirt-repo/test-support';
import { refusedUrl, startServer } from '../../../test/helpers/http-server.js';
import { loadMirrorMap } from './load.js';
import { mirrorMapToObject } from './types.js';

const data = (object: unknown) => `data:application/json,${JSON.stringify(object)}`;
const fast = { tries: 2, retryDelayMs: 5, timeoutMs: 2000 };

describe('loadMirrorMap', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
  afterAll(() => cleanup());

  it('reads a served all_latest.json, unwrapping latest_ci_repos and resolving relative URLs against it', async () => {
    const s = await startServer({
      '/repos/yum/all_latest.json': JSON.stringify({
        latest_ci_repos: {
          'ovirt-master-el8': 'ovirt-master-el8/2024-05-01T10-00-00Z',
          'centos-base-el8': '/other/centos-base-el8/1',
          'epel-el8': 'https://elsewhere.example.org/epel/8',
          'before:ovirt-master-el8': [['experimental-el8', 'experimental-el8/2024-05-01T11-00-00Z']],
        },
      }),
    });
    try {
      const map = await loadMirrorMap(`${s.url}/repos/yum/all_latest.json`, { http: fast });
      expect(mirrorMapToObject(map)).toEqual({
        'ovirt-master-el8': `${s.url}/repos/yum/ovirt-master-el8/2024-05-01T10-00-00Z`,
        'centos-base-el8': `${s.url}/other/centos-base-el8/1`,
        'epel-el8': 'https://elsewhere.example.org/epel/8',
        'before:ovirt-master-el8': [['experimental-el8', `${s.url}/repos/yum/experimental-el8/2024-05-01T11-00-00Z`]],
      });
      expect(map.sources).toEqual([`${s.url}/repos/yum/all_latest.json`]);
    } finally {
      await s.close();
    }
  });

  it('reads the all_latest.yaml index format from a file, and a bare map from a file:// URL', async () => {
    const yaml = join(dir, 'all_latest.yaml');
    await writeFile(yaml, "---\nlatest_ci_repos:\n  a-el8: 'http://s/yum/a-el8/1'\n  b-el8: 'b-el8/2'\n");
    expect(mirrorMapToObject(await loadMirrorMap(yaml))).toEqual({ 'a-el8': 'http://s/yum/a-el8/1', 'b-el8': join(dir, 'b-el8/2') });
    const bare = join(dir, 'bare.json');
    await writeFile(bare, JSON.stringify({ 'a-el8': 'snap/1' }));
    const url = pathToFileURL(bare).href;
    expect(mirrorMapToObject(await loadMirrorMap(url))).toEqual({ 'a-el8': pathToFileURL(join(dir, 'snap/1')).href });
  });

  it('uses --varname to find the map', async () => {
    const uri = data({ ci_repos: { r: 'http://x' }, latest_ci_repos: { r: 'http://wrong' } });
    expect(mirrorMapToObject(await loadMirrorMap(uri, { varname: 'ci_repos' }))).toEqual({ r: 'http://x' });
  });

  it('reads data: URLs, plain and base64', async () => {
    expect(mirrorMapToObject(await loadMirrorMap(data({ r: 'http://x' })))).toEqual({ r: 'http://x' });
    const b64 = `data:application/json;base64,${Buffer.from(JSON.stringify({ latest_ci_repos: { r: 'http://y' } })).toString('base64')}`;
    expect(mirrorMapToObject(await loadMirrorMap(b64))).toEqual({ r: 'http://y' });
  });

  // mirror_client's test_parse_mirror_includes, second case: nested includes, include:before:, conflicts.
  it('resolves include: and include:before: exactly as mirror_client does', async () => {
    const map = await loadMirrorMap(
      data({
        'repo1-el7': 'http://u/1',
        'before:repo1-el7': [['repo2-el7', 'http://u/2']],
        'include:': [
          data({
            'repo1-el7': 'http://u/1a',
            'repo3-el7': 'http://u/3a',
            'repo4-el7': 'http://u/4a',
            'before:repo1-el7': [['repo5-el7', 'http://u/5']],
            'before:repo3-el7': [['repo6-el7', 'http://u/6']],
          }),
          data({
            'repo1-el7': 'http://u/1b',
            'repo3-el7': 'http://u/3b',
            'repo7-el7': 'http://u/7b',
            'before:repo3-el7': [['repo8-el7', 'http://u/8']],
            'include:': [data({ 'repo9-el7': 'http://u/9c' })],
          }),
        ],
        'include:before:': [
          ['repo1', data({ 'repo10-el7': 'http://u/10', 'repo11-el8': 'http://u/11' })],
          ['repo3', data({ 'repo12-el7': 'http://u/12' })],
          ['repo4', data({ 'repo13-el8': 'http://u/13' })],
        ],
      }),
    );
    expect(mirrorMapToObject(map)).toEqual({
      'repo1-el7': 'http://u/1',
      'repo3-el7': 'http://u/3a',
      'repo4-el7': 'http://u/4a',
      'repo7-el7': 'http://u/7b',
      'repo9-el7': 'http://u/9c',
      'before:repo1-el7': [['repo2-el7', 'http://u/2'], ['repo5-el7', 'http://u/5'], ['repo10-el7', 'http://u/10']],
      'before:repo1-el8': [['repo11-el8', 'http://u/11']],
      'before:repo3-el7': [['repo6-el7', 'http://u/6'], ['repo8-el7', 'http://u/8'], ['repo12-el7', 'http://u/12']],
      'before:repo4-el8': [['repo13-el8', 'http://u/13']],
    });
    expect(map.sources).toHaveLength(7);
  });

  it('resolves an include relative to the including map, and its URLs relative to itself', async () => {
    const s = await startServer({
      '/maps/main.json': JSON.stringify({ 'a-el8': 'a/1', 'include:': ['sub/extra.yaml'] }),
      '/maps/sub/extra.yaml': 'b-el8: b/2\na-el8: ignored\n',
    });
    try {
      const map = await loadMirrorMap(`${s.url}/maps/main.json`, { http: fast });
      expect(mirrorMapToObject(map)).toEqual({ 'a-el8': `${s.url}/maps/a/1`, 'b-el8': `${s.url}/maps/sub/b/2` });
      expect(map.sources).toEqual([`${s.url}/maps/main.json`, `${s.url}/maps/sub/extra.yaml`]);
    } finally {
      await s.close();
    }
  });

  it('refuses an include loop, naming the chain', async () => {
    const a = join(dir, 'loop-a.json');
    const b = join(dir, 'loop-b.json');
    await writeFile(a, JSON.stringify({ 'include:': ['loop-b.json'] }));
    await writeFile(b, JSON.stringify({ 'include:': ['loop-a.json'] }));
    await expect(loadMirrorMap(a)).rejects.toMatchObject({ code: 'E_CONFIG_INVALID', message: `mirror map includes loop: ${a} -> ${b} -> ${a}` });
  });

  it('reads includes 16 maps deep, and says that a 17th is too deep (not a loop)', async () => {
    const chain = Array.from({ length: 17 }, (_, i) => join(dir, `deep-${i}.json`));
    for (const [i, file] of chain.entries()) {
      await writeFile(file, JSON.stringify({ [`r${i}-el8`]: `http://s/${i}`, ...(chain[i + 1] ? { 'include:': [chain[i + 1]] } : {}) }));
    }
    const sixteen = join(dir, 'deep-16-top.json');
    await writeFile(sixteen, JSON.stringify({ 'include:': [chain[2]] }));
    expect((await loadMirrorMap(sixteen)).sources).toHaveLength(16);
    await expect(loadMirrorMap(chain[0]!)).rejects.toMatchObject({
      code: 'E_CONFIG_INVALID',
      message: `mirror map includes nest more than 16 maps deep: ${chain.join(' -> ')}`,
      data: { chain },
    });
  });

  it('stops reading a map whose includes fan out (the same map named twice at each level)', async () => {
    for (let i = 0; i < 12; i++) {
      const next = join(dir, `fan-${i + 1}.json`);
      await writeFile(join(dir, `fan-${i}.json`), JSON.stringify({ [`r${i}-el8`]: `http://s/${i}`, ...(i < 11 ? { 'include:': [next, next] } : {}) }));
    }
    await expect(loadMirrorMap(join(dir, 'fan-0.json'))).rejects.toMatchObject({
      code: 'E_CONFIG_INVALID',
      message: 'the mirror map and its includes are more than 256 documents (a map included many times over?)',
    });
  });

  it('fails as unreachable when the map or one of its includes is unreachable', async () => {
    const down = await refusedUrl();
    await expect(loadMirrorMap(`${down}/all_latest.json`, { http: fast })).rejects.toMatchObject({ code: 'E_FETCH', data: { unreachable: true } });
    await expect(loadMirrorMap(data({ r: 'http://x', 'include:': [`${down}/more.json`] }), { http: fast })).rejects.toMatchObject({
      code: 'E_FETCH',
      data: { unreachable: true, errno: 'ECONNREFUSED' },
    });
  });

  it('fails (not unreachable) on a 404 and on a missing file', async () => {
    const s = await startServer();
    try {
      await expect(loadMirrorMap(`${s.url}/nope.json`, { http: fast })).rejects.toMatchObject({ code: 'E_FETCH', data: { status: 404, unreachable: false } });
    } finally {
      await s.close();
    }
    await expect(loadMirrorMap(join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'E_FETCH', data: { unreachable: false } });
  });
});

describe('mirror map shape errors name the document, line and key', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
  afterAll(() => cleanup());

  it.each([
    ['{"latest_ci_repos": {\n  "a": "http://x",\n  "b": ["http://y"]\n}}', 3, 'b', 'repo "b" must map to a URL string, got a list of 1'],
    ['{"latest_ci_repos": {\n  "before:s": [["r", "u"], ["only-one"]]\n}}', 2, 'before:s', '"before:s" must be a list of [repo-id, URL] pairs; item 2 is a list of 1'],
    ['{\n  "include:": "http://not-a-list"\n}', 2, 'include:', 'key "include:" must be a list of URIs, got a string'],
    ['{\n  "include:before:": [["p"]]\n}', 2, 'include:before:', '"include:before:" must be a list of [repo-prefix, URI] pairs; item 1 is a list of 1'],
    ['{\n  "include:after:": []\n}', 2, 'include:after:', 'unknown key "include:after:"'],
    ['{\n  "latest_ci_repos": ["a", "b"]\n}', 2, 'latest_ci_repos', 'the mirror map must be an object of repo names to URLs (under "latest_ci_repos"), got a list of 2'],
    ['a: http://x\nb:\n', 2, 'b', 'repo "b" must map to a URL string, got nothing (null)'],
  ])('%j', async (text, line, key, message) => {
    const file = join(dir, `map-${line}-${key.replace(/:/g, '_')}.txt`);
    await writeFile(file, text);
    await expect(loadMirrorMap(file)).rejects.toMatchObject({
      code: 'E_CONFIG_INVALID',
      message: `${file}:${line}: ${message}`,
      data: { uri: file, line, key },
    });
  });

  it('rejects a document that is not a map at all', async () => {
    await expect(loadMirrorMap('data:application/json,["a"]')).rejects.toThrow(/the mirror map must be an object of repo names to URLs, got a list of 1/);
  });

  it('names the line of a syntax error', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{\n  "a": "x",\n  "b": "y"\n  "c": "z"\n}\n');
    await expect(loadMirrorMap(file)).rejects.toThrow(`${file}:4: not valid JSON`);
  });
});
