import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isOvirtRepoError, type OvirtRepoError } from '../errors/index.js';
import { loadConfig, requireStore } from './load.js';
import { parseConfig } from './parse.js';
import { repoConfigFor } from './resolve.js';
import { FULL } from './example.spec.helper.js';


let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ovirt-repo-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(text: string, name = 'ovirt-repo.yaml'): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

/** The error a config text raises, parsed with the temp dir as working directory (so it is named ovirt-repo.yaml). */
function errorOf(text: string): OvirtRepoError {
  try {
    parseConfig(text, { file: join(dir, 'ovirt-repo.yaml'), cwd: dir });
  } catch (e) {
    if (isOvirtRepoError(e)) return e;
    throw e;
  }
  throw new Error('expected the configuration to be rejected');
}

function problemLines(e: OvirtRepoError): string[] {
  return (e.data?.problems as { line: number; column: number; path: string; message: string }[]).map(
    (p) => `${p.line}:${p.column} ${p.path}: ${p.message}`,
  );
}

describe('parseConfig: a valid file', () => {
  it('fills defaults, merges per-repo settings and resolves paths against the file', () => {
    const config = parseConfig(FULL, { file: join(dir, 'conf', 'ovirt-repo.yaml') });
    const base = join(dir, 'conf');
    expect(config.store).toBe('/srv/ovirt-repo');
    expect(config.baseUrl).toBe('https://resources.example.org/repos');
    expect(config.defaults).toEqual({ mode: 'mirror', include: [], exclude: [], newestOnly: false, keepVersions: 1, retention: { maxAge: 1_209_600, keep: 5 } });
    expect(config.repos['centos-stream-9-baseos']).toEqual({
      sources: ['https://mirror.stream.centos.org/9-stream/BaseOS/x86_64/os/'],
      mode: 'mirror',
      arch: ['x86_64', 'noarch'],
      include: ['ovirt-*'],
      exclude: ['*-debuginfo'],
      newestOnly: false,
      retention: { maxAge: 2_592_000, keep: 10 },
    });
    expect(config.repos['centos-stream-9-appstream']).toEqual({
      sources: [],
      config: { file: join(base, 'mirrors-reposync.conf'), section: 'cs9-appstream' },
      mode: 'mirror',
      arch: ['x86_64'],
      include: [],
      exclude: [],
      newestOnly: false,
      retention: { maxAge: 1_209_600, keep: 5 },
    });
    expect(config.repos['ovirt-master-el9']!.sources).toEqual([join(base, 'upstream/ovirt-master'), 'file:///mnt/builds/el9']);
    expect(config.repos['ovirt-master-el9']!.newestOnly).toBe(true);
    expect(config.repos['experimental-master-el9']).toMatchObject({ mode: 'additive', sources: [], keepVersions: 3 });
    expect(config.repos['experimental-4.5-el9']).toMatchObject({ mode: 'additive', keepVersions: 1 });
    expect(config.repos['centos-stream-9-baseos']).not.toHaveProperty('keepVersions');
    expect(config.publish).toEqual({
      'tested-master-el9': { from: 'experimental-master-el9', to: 'rsync://repos.example.org/ovirt/tested/master/el9', keepDays: 14, keepVersions: 5, keepMetadataDays: 2 },
      'tested-local': { from: 'experimental-4.5-el9', to: join(base, 'published/4.5'), keepDays: 14, keepMetadataDays: 2 },
    });
    expect(config.sync).toEqual({ parallel: 4, workers: 8, maxMetadataSize: 4 * 2 ** 30 });
  });

  it('gives built-in defaults for an empty file, and for empty sections', () => {
    for (const text of ['', '# nothing yet\n', 'repos:\npublish:\ndefaults:\nsync:\n']) {
      const config = parseConfig(text, { file: join(dir, 'ovirt-repo.yaml') });
      expect(config).toEqual({
        defaults: { mode: 'mirror', include: [], exclude: [], newestOnly: false, keepVersions: 1, retention: {} },
        repos: {},
        publish: {},
        sync: { parallel: 4, workers: 8, maxMetadataSize: 4 * 2 ** 30 },
      });
    }
  });

  it('reads sizes in bytes or with a unit', () => {
    expect(parseConfig('sync:\n  maxMetadataSize: 512MiB\n', { file: join(dir, 'x.yaml') }).sync.maxMetadataSize).toBe(512 * 2 ** 20);
    expect(parseConfig('sync:\n  maxMetadataSize: 1048576\n', { file: join(dir, 'x.yaml') }).sync.maxMetadataSize).toBe(2 ** 20);
  });

  it('takes a bare repo key as a repo with default settings (additive by default here)', () => {
    const config = parseConfig('defaults: { mode: additive, keepVersions: 2 }\nrepos:\n  experimental-master-el9:\n', { file: join(dir, 'x.yaml') });
    expect(config.repos['experimental-master-el9']).toEqual({ sources: [], mode: 'additive', include: [], exclude: [], newestOnly: false, keepVersions: 2, retention: {} });
  });

  it('takes config: FILE as the section named like the repo', () => {
    const config = parseConfig('repos:\n  cs9-baseos:\n    config: ../mirrors-reposync.conf\n', { file: join(dir, 'ci', 'ovirt-repo.yaml') });
    expect(config.repos['cs9-baseos']!.config).toEqual({ file: join(dir, 'mirrors-reposync.conf'), section: 'cs9-baseos' });
  });

  it('keeps rsync host:path and URLs as they are, and resolves plain paths', () => {
    const config = parseConfig(
      'repos: { r: { mode: additive } }\npublish:\n  a: { from: r, to: "repos.example.org:/srv/tested" }\n  b: { from: r, to: "ssh://u@h/srv" }\n  c: { from: r, to: /abs/path }\n  d: { from: r, to: rel }\n',
      { file: join(dir, 'ovirt-repo.yaml') },
    );
    expect(Object.values(config.publish).map((p) => p.to)).toEqual(['repos.example.org:/srv/tested', 'ssh://u@h/srv', '/abs/path', join(dir, 'rel')]);
  });

  it('follows YAML anchors and merge keys', () => {
    const config = parseConfig(
      'repos:\n  a: &el9\n    source: https://example.org/el9/\n    arch: [x86_64]\n  b:\n    <<: *el9\n    exclude: ["*-devel"]\n',
      { file: join(dir, 'ovirt-repo.yaml') },
    );
    expect(config.repos['b']).toMatchObject({ sources: ['https://example.org/el9/'], arch: ['x86_64'], exclude: ['*-devel'] });
  });

  it('makes settings for repos that are only in the store from defaults', () => {
    const config = parseConfig(FULL, { file: join(dir, 'ovirt-repo.yaml') });
    expect(repoConfigFor(config, 'experimental-4.6-el10')).toEqual({ sources: [], mode: 'mirror', include: [], exclude: [], newestOnly: false, retention: { maxAge: 1_209_600, keep: 5 } });
    expect(repoConfigFor(config, 'experimental-master-el9')).toBe(config.repos['experimental-master-el9']);
  });
});

describe('parseConfig: problems name file:line:column and the key path', () => {
  it('a wrong enum value, as in the issue', () => {
    const e = errorOf('repos:\n  experimental-master-el9:\n    mode: add\n');
    expect(e.code).toBe('E_CONFIG_INVALID');
    expect(e.message).toBe('ovirt-repo.yaml:3:5: repos.experimental-master-el9.mode: must be "mirror" or "additive", got "add" (did you mean "additive"?)');
    expect(e.target).toBe('ovirt-repo.yaml');
    expect(e.hint).toMatch(/docs\/config\.md/);
    expect(e.data).toMatchObject({
      file: join(dir, 'ovirt-repo.yaml'),
      problems: [{ line: 3, column: 5, path: 'repos.experimental-master-el9.mode', keyPath: ['repos', 'experimental-master-el9', 'mode'] }],
    });
  });

  it.each([
    ['wrong type', 'sync:\n  parallel: four\n', '2:3 sync.parallel: must be a number, got "four"'],
    ['fraction', 'sync:\n  workers: 2.5\n', '2:3 sync.workers: must be a whole number, got 2.5'],
    ['out of range', 'sync:\n  parallel: 0\n', '2:3 sync.parallel: must be at least 1, got 0'],
    ['too big', 'sync:\n  workers: 1000\n', '2:3 sync.workers: must be at most 256, got 1000'],
    ['boolean', 'defaults:\n  newestOnly: yes\n', '2:3 defaults.newestOnly: must be true or false, got "yes"'],
    ['bad duration', 'defaults:\n  retention:\n    maxAge: 14 days\n', '3:5 defaults.retention.maxAge: must be a duration such as 14d, 12h, 30m, 2w or 1d12h (units: s, m, h, d, w), got "14 days"'],
    ['duration of the wrong type', 'defaults:\n  retention: { maxAge: [14d] }\n', '2:16 defaults.retention.maxAge: must be a duration such as 14d, 12h, 30m, 2w or 1d12h (units: s, m, h, d, w), got a list'],
    ['bad size', 'sync:\n  maxMetadataSize: 4GB\n', '2:3 sync.maxMetadataSize: must be a size such as 4GiB, 512MiB or 64M (K, M, G, T: powers of 1024), or a number of bytes, got "4GB"'],
    ['list item', 'repos:\n  r:\n    mode: additive\n    arch: [x86_64, "no arch"]\n', '4:20 repos.r.arch[1]: invalid architecture "no arch": use names like x86_64, aarch64, ppc64le, s390x, noarch or src'],
    ['string or list', 'repos:\n  r:\n    mode: additive\n    exclude: 5\n', '4:5 repos.r.exclude: must be a string or a list, got 5'],
    ['empty string', 'store: ""\n', '1:1 store: must not be empty'],
    ['mapping expected', 'repos: [a, b]\n', '1:1 repos: must be a mapping, got a list'],
    ['source scheme', 'repos:\n  r:\n    source: ftp://example.org/el9/\n', '3:5 repos.r.source: unsupported URL scheme "ftp://" in "ftp://example.org/el9/": a source is an http://, https://, file:// URL or a path'],
    ['base URL', 'baseUrl: repos.example.org/ci\n', '1:1 baseUrl: must be an absolute URL such as https://repos.example.org/ci, got "repos.example.org/ci"'],
    ['required key', 'repos: { r: { mode: additive } }\npublish:\n  tested:\n    from: r\n', '3:3 publish.tested.to: is required'],
    ['top level', '- a\n- b\n', '1:1 (top level): must be a mapping, got a list'],
  ])('%s', (_what, text, expected) => {
    expect(problemLines(errorOf(text))).toEqual([expected]);
  });

  it('an unknown key, with a suggestion for a near miss', () => {
    const e = errorOf('repos: { r: { mode: additive } }\npublish:\n  tested:\n    from: r\n    to: /srv/tested\n    keepDay: 14\n');
    expect(e.message).toBe('ovirt-repo.yaml:6:5: publish.tested.keepDay: unknown key (did you mean "keepDays"?)');
  });

  it('an unknown key with no near miss lists the known keys', () => {
    expect(problemLines(errorOf('sync:\n  frobnicate: 1\n'))).toEqual(['2:3 sync.frobnicate: unknown key; known keys: parallel, workers, timeout, retries, minRate, mirrorBudget, maxMetadataSize']);
    expect(problemLines(errorOf('stor: /srv\n'))).toEqual(['1:1 stor: unknown key (did you mean "store"?)']);
    expect(problemLines(errorOf('repos:\n  r:\n    source: /x\n    newest_only: true\n'))).toEqual(['4:5 repos.r.newest_only: unknown key (did you mean "newestOnly"?)']);
  });

  it('invalid repo and publish names', () => {
    expect(problemLines(errorOf('repos:\n  ../etc:\n    mode: additive\n  all_latest.json:\n    mode: additive\npublish:\n  "bad name": { from: ok, to: /x }\n'))).toEqual([
      '2:3 repos["../etc"]: invalid name "../etc": names start with a letter or digit and use only letters, digits and . _ + - (no "..", at most 200 characters)',
      '4:3 repos["all_latest.json"]: invalid name "all_latest.json": all_latest.* is reserved for the store\'s index files',
      '7:3 publish["bad name"]: invalid name "bad name": names start with a letter or digit and use only letters, digits and . _ + - (no "..", at most 200 characters)',
      '7:17 publish["bad name"].from: names no repo under repos: "ok" (configured: ../etc, all_latest.json)',
    ]);
  });

  it('source rules: one of source/sources/config; mirror repos need one', () => {
    expect(
      problemLines(
        errorOf(
          'repos:\n  both:\n    source: https://a/\n    sources: [https://b/]\n  none:\n    arch: x86_64\n  additive-none:\n    mode: additive\n  mirror-keep:\n    source: /x\n    keepVersions: 2\n',
        ),
      ),
    ).toEqual([
      '4:5 repos.both.sources: give only one of source, sources or config (this repo has source and sources)',
      '5:3 repos.none: a mirror repo needs source, sources or config (or set mode: additive for a repo that deploy jobs fill with --from)',
      '11:5 repos.mirror-keep.keepVersions: applies only to mode: additive (a mirror snapshot holds exactly what the source has)',
    ]);
  });

  it('publish.from must name a configured repo', () => {
    expect(problemLines(errorOf('repos:\n  experimental-master-el9: { mode: additive }\npublish:\n  t:\n    from: experimental-master-el8\n    to: /x\n'))).toEqual([
      '5:5 publish.t.from: names no repo under repos: "experimental-master-el8" (did you mean "experimental-master-el9"?)',
    ]);
  });

  it('reports every problem at once, in file order, one per line', () => {
    const text = [
      'store: /srv/ovirt-repo', // 1
      'sync:', // 2
      '  parallel: 0', // 3
      'repos:', // 4
      '  experimental-master-el9:', // 5
      '    mode: add', // 6
      '    retention: { maxAge: 2 weeks, kep: 3 }', // 7
      '  cs9:', // 8
      '    source: https://mirror.example.org/cs9/', // 9
      '    exlude: "*-debuginfo"', // 10
      'publish:', // 11
      '  tested:', // 12
      '    from: experimental-master-el9', // 13
      '    to: rsync://repos.example.org/tested', // 14
      '    keepDays: -1', // 15
      '', //
    ].join('\n');
    const e = errorOf(text);
    expect(problemLines(e)).toEqual([
      '3:3 sync.parallel: must be at least 1, got 0',
      '6:5 repos.experimental-master-el9.mode: must be "mirror" or "additive", got "add" (did you mean "additive"?)',
      '7:18 repos.experimental-master-el9.retention.maxAge: must be a duration such as 14d, 12h, 30m, 2w or 1d12h (units: s, m, h, d, w), got "2 weeks"',
      '7:35 repos.experimental-master-el9.retention.kep: unknown key (did you mean "keep"?)',
      '10:5 repos.cs9.exlude: unknown key (did you mean "exclude"?)',
      '15:5 publish.tested.keepDays: must be at least 0, got -1',
    ]);
    expect(e.message.split('\n')).toEqual([
      'ovirt-repo.yaml has 6 problems:',
      '  ovirt-repo.yaml:3:3: sync.parallel: must be at least 1, got 0',
      '  ovirt-repo.yaml:6:5: repos.experimental-master-el9.mode: must be "mirror" or "additive", got "add" (did you mean "additive"?)',
      '  ovirt-repo.yaml:7:18: repos.experimental-master-el9.retention.maxAge: must be a duration such as 14d, 12h, 30m, 2w or 1d12h (units: s, m, h, d, w), got "2 weeks"',
      '  ovirt-repo.yaml:7:35: repos.experimental-master-el9.retention.kep: unknown key (did you mean "keep"?)',
      '  ovirt-repo.yaml:10:5: repos.cs9.exlude: unknown key (did you mean "exclude"?)',
      '  ovirt-repo.yaml:15:5: publish.tested.keepDays: must be at least 0, got -1',
    ]);
    expect(e.describe()).toMatch(/\nHint: fix the keys listed/);
  });

  it('points into the anchor for a value that came through a merge key', () => {
    expect(problemLines(errorOf('repos:\n  a: &base\n    source: /x\n    arch: ["x 86"]\n  b:\n    <<: *base\n'))).toEqual([
      '4:12 repos.a.arch[0]: invalid architecture "x 86": use names like x86_64, aarch64, ppc64le, s390x, noarch or src',
      '4:12 repos.b.arch[0]: invalid architecture "x 86": use names like x86_64, aarch64, ppc64le, s390x, noarch or src',
    ]);
  });
});

describe('parseConfig: YAML syntax errors', () => {
  it('names file:line:column for each', () => {
    const e = errorOf('store: /srv\nrepos:\n  a:\n    source: [https://a/\n  b: {\n');
    expect(e.code).toBe('E_CONFIG_INVALID');
    expect(e.hint).toMatch(/YAML syntax/);
    const lines = problemLines(e);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines[0]).toMatch(/^\d+:\d+ : YAML syntax error: /);
    expect(e.message).toMatch(/^ovirt-repo\.yaml(:\d+:\d+: YAML syntax error| has \d+ problems)/);
  });

  it('a duplicate key', () => {
    expect(problemLines(errorOf('repos:\n  a: { mode: additive }\n  a: { mode: additive }\n'))).toEqual(['3:3 : YAML syntax error: Map keys must be unique']);
  });

  it('a tab indent', () => {
    expect(errorOf('repos:\n\ta: {}\n').message).toMatch(/^ovirt-repo\.yaml:2:1: YAML syntax error: /);
  });
});

describe('loadConfig', () => {
  it('reads ./ovirt-repo.yaml and resolves its paths against its own directory', async () => {
    await writeConfig('store: store\nrepos:\n  r:\n    source: ../mirror\n');
    const loaded = await loadConfig({ cwd: dir, env: {} });
    expect(loaded.file).toBe(join(dir, 'ovirt-repo.yaml'));
    expect(loaded.via).toBe('cwd');
    expect(loaded.config.store).toBe(join(dir, 'store'));
    expect(loaded.config.repos['r']!.sources).toEqual([join(dir, '..', 'mirror')]);
    expect(loaded.config.baseUrl).toBe(`file://${join(dir, 'store')}`);
    expect(loaded.origins).toEqual({ store: 'file', baseUrl: 'default' });
  });

  it('resolves paths against the file, not the working directory, when the file is elsewhere', async () => {
    await mkdir(join(dir, 'ci'));
    await mkdir(join(dir, 'work'));
    await writeConfig('store: ../store\n', 'ci/ovirt-repo.yaml');
    const loaded = await loadConfig({ file: '../ci/ovirt-repo.yaml', cwd: join(dir, 'work'), env: {} });
    expect(loaded.file).toBe(join(dir, 'ci', 'ovirt-repo.yaml'));
    expect(loaded.config.store).toBe(join(dir, 'store'));
  });

  it('keeps an s3:// store as it is, with no default base URL, and reads the s3: keys; a bad s3: value is named by line', async () => {
    await writeConfig('store: s3://ci-repos/store\ns3:\n  endpoint: http://rgw.example.org:7480\n  region: eu-1\n  profile: ci\n');
    const loaded = await loadConfig({ cwd: dir, env: {} });
    expect(loaded.config.store).toBe('s3://ci-repos/store');
    expect(loaded.config.baseUrl).toBeUndefined();
    expect(loaded.config.s3).toEqual({ endpoint: 'http://rgw.example.org:7480', region: 'eu-1', profile: 'ci' });
    expect(problemLines(errorOf('store: s3://b/x\ns3:\n  endpoint: http://KEY:SECRET@rgw:7480\n'))).toEqual(['3:3 s3.endpoint: must be http(s)://HOST[:PORT], without keys, path or query']);
  });

  it('reads network: with PEM paths resolved against the file; a proxy URL with credentials is refused, by line, without echoing them', async () => {
    await writeConfig('network:\n  proxy: http://proxy.example.org:3128\n  caCert: pki/ca.pem\n  clientCert: /etc/pki/client.pem\n');
    const loaded = await loadConfig({ cwd: dir });
    expect(loaded.config.network).toEqual({ proxy: 'http://proxy.example.org:3128', caCert: join(dir, 'pki', 'ca.pem'), clientCert: '/etc/pki/client.pem' });
    const e = errorOf('network:\n  proxy: http://alice:s3cret@proxy:3128\n');
    expect(problemLines(e)).toEqual([expect.stringMatching(/^2:3 network\.proxy: must not hold credentials/)]);
    expect(JSON.stringify(e) + e.message).not.toContain('s3cret');
    expect(problemLines(errorOf('network:\n  proxy: socks5://p:1080\n'))).toEqual([expect.stringMatching(/^2:3 network\.proxy: must be an http:\/\/ or https:\/\/ proxy URL/)]);
  });

  it('gives defaults when there is no file at all', async () => {
    const loaded = await loadConfig({ cwd: dir, env: {} });
    expect(loaded.file).toBeUndefined();
    expect(loaded.config.store).toBeUndefined();
    expect(loaded.config.repos).toEqual({});
    expect(loaded.origins).toEqual({});
    expect(() => requireStore(loaded.config)).toThrow(expect.objectContaining({ code: 'E_USAGE', hint: expect.stringContaining('OVIRT_REPO_STORE') }));
  });

  it('lets the environment beat the file and flags beat both; their paths start from the working directory', async () => {
    await writeConfig('store: from-file\nbaseUrl: https://file.example.org\n');
    const env = { OVIRT_REPO_STORE: 'from-env', OVIRT_REPO_BASE_URL: 'https://env.example.org/' };
    const fromEnv = await loadConfig({ cwd: dir, env });
    expect(fromEnv.config.store).toBe(join(dir, 'from-env'));
    expect(fromEnv.config.baseUrl).toBe('https://env.example.org');
    expect(fromEnv.origins).toEqual({ store: 'env', baseUrl: 'env' });
    const fromFlags = await loadConfig({ cwd: dir, env, overrides: { store: '/flag/store', baseUrl: 'http://flag.example.org/x' } });
    expect(fromFlags.config.store).toBe('/flag/store');
    expect(fromFlags.config.baseUrl).toBe('http://flag.example.org/x');
    expect(fromFlags.origins).toEqual({ store: 'flag', baseUrl: 'flag' });
  });

  it('keeps a store URL as it is (the store opens it by scheme); only a local store has a default base URL', async () => {
    await writeConfig('store: file:///srv/from-file\n');
    const fromFile = await loadConfig({ cwd: dir, env: {} });
    expect([fromFile.config.store, fromFile.config.baseUrl]).toEqual(['file:///srv/from-file', 'file:///srv/from-file']);
    const remote = await loadConfig({ cwd: dir, env: { OVIRT_REPO_STORE: 's3://bucket/ci' } });
    expect([remote.config.store, remote.config.baseUrl]).toEqual(['s3://bucket/ci', undefined]);
  });

  it('rejects a bad --base-url or OVIRT_REPO_BASE_URL naming which', async () => {
    await expect(loadConfig({ cwd: dir, env: {}, overrides: { baseUrl: 'nope' } })).rejects.toThrow(/^--base-url must be an absolute URL/);
    await expect(loadConfig({ cwd: dir, env: { OVIRT_REPO_BASE_URL: 'ftp://x/' } })).rejects.toThrow(/^OVIRT_REPO_BASE_URL must be an http:\/\/, https:\/\/ or file:\/\/ URL/);
  });

  it('names the file as given relative to the working directory in messages', async () => {
    await mkdir(join(dir, 'ci'));
    await writeConfig('sync: { parallel: many }\n', 'ci/ovirt-repo.yaml');
    await expect(loadConfig({ cwd: dir, env: { OVIRT_REPO_CONFIG: 'ci/ovirt-repo.yaml' } })).rejects.toThrow(
      'ci/ovirt-repo.yaml:1:9: sync.parallel: must be a number, got "many"',
    );
    await expect(loadConfig({ cwd: join(dir, 'ci', '..', '..'), file: join(dir, 'ci', 'ovirt-repo.yaml'), env: {} })).rejects.toThrow(/ci\/ovirt-repo\.yaml:1:9: /);
  });
});
