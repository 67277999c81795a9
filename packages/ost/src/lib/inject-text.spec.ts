import { MAP, REPOSYNC_CONFIG, REPOSYNC_CONFIG_INJECTED, STORE } from '../../test/fixtures/configs.js';
import { injectConfigText } from './inject-text.js';
import { readMirrorMapDocument } from './mirror-map/shape.js';
import type { MirrorMap } from './mirror-map/types.js';
import { parseStructuredText } from '@ovirt-repo/core';

/** A MirrorMap from the JSON shape users write. */
function mapOf(object: Record<string, unknown>, base = 'http://h/all_latest.json'): MirrorMap {
  return readMirrorMapDocument(parseStructuredText(JSON.stringify(object), base), 'latest_ci_repos').map;
}

describe('injectConfigText on a real-world reposync config', () => {
  it('changes only what injection must change', () => {
    const out = injectConfigText(REPOSYNC_CONFIG, mapOf(MAP), { source: 'reposync-config.repo' });
    expect(out.text).toBe(REPOSYNC_CONFIG_INJECTED);
    expect(out.changed).toBe(true);
    expect(out.injected).toEqual([
      { section: 'centos-base-el7', url: MAP['centos-base-el7'], line: 33 },
      { section: 'epel-el7', url: MAP['epel-el7'], line: 43 },
      { section: 'fedora-updates-fc30', url: MAP['fedora-updates-fc30'], line: 53 },
    ]);
    expect(out.inserted).toEqual([
      { repo: 'experimental-master-el7', url: `${STORE}/experimental-master-el7/2024-05-01T10-00-05Z`, before: 'ovirt-master-tested-el7', line: 10 },
    ]);
    expect(out.skipped).toEqual(['ovirt-master-tested-el7']);
    expect(out.warnings).toEqual([]);
  });

  it('is idempotent: injecting the result again changes nothing', () => {
    const map = mapOf(MAP);
    const once = injectConfigText(REPOSYNC_CONFIG, map).text;
    // The inserted section now exists, so it is not inserted a second time (with a warning).
    const twice = injectConfigText(once, map);
    expect(twice.text).toBe(once);
    expect(twice.changed).toBe(false);
    expect(twice.warnings).toEqual([
      '<config>: not inserting [experimental-master-el7] before [ovirt-master-tested-el7]: a section with that name already exists',
    ]);
  });

  it('leaves a config the map does not name byte for byte, CRLF and missing final newline included', () => {
    const text = REPOSYNC_CONFIG.replace(/\n/g, '\r\n').replace(/\r\n$/, '');
    const out = injectConfigText(text, mapOf({ 'other-el8': 'http://x/' }));
    expect(out.text).toBe(text);
    expect(out.changed).toBe(false);
  });
});

// mirror_client's own test (test_inject_yum_mirrors): the same repos get the same options; unlike the
// Python client, the original spacing and option order survive.
describe("mirror_client's test_inject_yum_mirrors fixture", () => {
  const orig = `[main]
gpgcheck=0

[plain_mirrored_repo]
name=A plain mirrored repo
baseurl=http://example.com/yum/repo/el$releasever/$basearch

[list_mirrored_repo]
name=A mirrored repo with an (upstream) mirror list
mirrorlist=http://example.com/yum/mirrorlist
failovermethod=priority

[metalink_mirrored_repo]
name=A mirrored repo with a metalink configuration
metalink=http://example.com/dnf/metalink
failovermethod=priority

[unmirrored_repo]
name=A non-mirrored repo
baseurl=http://example.com/yum/another_repo
enabled=1

[unmirrored_repo_w_insert]
name=A non-mirrored repo that get an insert
baseurl=http://example.com/yum/one_more_repo
enabled=1
`;
  const mirrors = mapOf({
    plain_mirrored_repo: 'http://mirror.com/yum/repo',
    list_mirrored_repo: 'http://mirror.com/yum/list_repo',
    metalink_mirrored_repo: 'http://mirror.com/yum/metalink_repo',
    'before:list_mirrored_repo': [['inserted1', 'http://localhost/inserted1']],
    'before:unmirrored_repo_w_insert': [['inserted2', 'http://localhost/inserted2']],
    'before:non_existant_repo': [['inserted3', 'http://localhost/inserted3']],
  });

  it('injects with proxy = None (no distro suffix)', () => {
    expect(injectConfigText(orig, mirrors).text).toBe(`[main]
gpgcheck=0

[plain_mirrored_repo]
name=A plain mirrored repo
baseurl=http://mirror.com/yum/repo
proxy=None

[inserted1]
baseurl=http://localhost/inserted1
proxy=None

[list_mirrored_repo]
name=A mirrored repo with an (upstream) mirror list
failovermethod=priority
baseurl=http://mirror.com/yum/list_repo
proxy=None

[metalink_mirrored_repo]
name=A mirrored repo with a metalink configuration
failovermethod=priority
baseurl=http://mirror.com/yum/metalink_repo
proxy=None

[unmirrored_repo]
name=A non-mirrored repo
baseurl=http://example.com/yum/another_repo
enabled=1

[inserted2]
baseurl=http://localhost/inserted2
proxy=None

[unmirrored_repo_w_insert]
name=A non-mirrored repo that get an insert
baseurl=http://example.com/yum/one_more_repo
enabled=1
`);
  });

  it('with allowProxy, sets no proxy option at all', () => {
    const out = injectConfigText(orig, mirrors, { allowProxy: true }).text;
    expect(out).not.toContain('proxy');
    expect(out).toContain('[inserted1]\nbaseurl=http://localhost/inserted1\n\n[list_mirrored_repo]');
  });
});

describe('injection rules', () => {
  it('replaces an existing proxy value in place, keeps it with allowProxy', () => {
    const text = '[a-el8]\nbaseurl = http://old\nproxy = http://squid:3128\nenabled = 1\n';
    const map = mapOf({ 'a-el8': 'http://new/' });
    expect(injectConfigText(text, map).text).toBe('[a-el8]\nbaseurl = http://new/\nproxy = _none_\nenabled = 1\n');
    expect(injectConfigText(text, map, { allowProxy: true }).text).toBe('[a-el8]\nbaseurl = http://new/\nproxy = http://squid:3128\nenabled = 1\n');
  });

  it('uses --none-value for every section when given', () => {
    const text = '[a-el7]\nbaseurl=http://old\n\n[b-fc30]\nbaseurl=http://old\n';
    const out = injectConfigText(text, mapOf({ 'a-el7': 'http://a', 'b-fc30': 'http://b', 'before:b-fc30': [['c-fc28', 'http://c']] }), {
      noneValue: '',
    });
    expect(out.text).toBe('[a-el7]\nbaseurl=http://a\nproxy=\n\n[c-fc28]\nbaseurl=http://c\nproxy=\n\n[b-fc30]\nbaseurl=http://b\nproxy=\n');
  });

  it('replaces a multi-line baseurl and drops a multi-line mirrorlist with its continuation lines', () => {
    const text = '[r]\nbaseurl = http://one\n  http://two\nmirrorlist = http://m1\n\thttp://m2\ngpgcheck = 0\n';
    expect(injectConfigText(text, mapOf({ r: 'http://mirror' })).text).toBe('[r]\nbaseurl = http://mirror\ngpgcheck = 0\nproxy = None\n');
  });

  it('matches option names in any case, as RawConfigParser does', () => {
    const text = '[r]\nBaseURL=http://one\nMirrorList=http://m\n';
    expect(injectConfigText(text, mapOf({ r: 'http://mirror' })).text).toBe('[r]\nBaseURL=http://mirror\nproxy=None\n');
  });

  it('adds options right after the last option, before trailing comments and blank lines', () => {
    const text = '[r]\nname = R\n\n# the next one is special\n[s]\nname = S\n';
    expect(injectConfigText(text, mapOf({ r: 'http://mirror' })).text).toBe(
      '[r]\nname = R\nbaseurl = http://mirror\nproxy = None\n\n# the next one is special\n[s]\nname = S\n',
    );
  });

  it('inserts a section above the comments that sit on top of its target', () => {
    const text = '[a]\nname = A\n\n# about b\n# more about b\n[b]\nname = B\n';
    expect(injectConfigText(text, mapOf({ 'before:b': [['x', 'http://x'], ['y', 'http://y']] }), { allowProxy: true }).text).toBe(
      '[a]\nname = A\n\n[x]\nbaseurl = http://x\n\n[y]\nbaseurl = http://y\n\n# about b\n# more about b\n[b]\nname = B\n',
    );
  });

  it('inserts before the first section too, and before a section the map also injects', () => {
    const text = '[b-el8]\nbaseurl=http://b\n';
    const out = injectConfigText(text, mapOf({ 'b-el8': 'http://mb', 'before:b-el8': [['a-el8', 'http://ma']] }));
    expect(out.text).toBe('[a-el8]\nbaseurl=http://ma\nproxy=_none_\n\n[b-el8]\nbaseurl=http://mb\nproxy=_none_\n');
  });

  it('accepts any RawConfigParser boolean for ost_skip_injection and refuses anything else', () => {
    const map = mapOf({ r: 'http://mirror' });
    for (const v of ['True', 'yes', '1', 'on']) {
      const text = `[r]\nbaseurl=http://old\nost_skip_injection = ${v}\n`;
      expect(injectConfigText(text, map)).toMatchObject({ text, skipped: ['r'], injected: [] });
    }
    expect(injectConfigText('[r]\nost_skip_injection = False\n', map).injected).toHaveLength(1);
    expect(() => injectConfigText('[r]\nbaseurl=x\nost_skip_injection = sure\n', map, { source: 'c.repo' })).toThrow(
      expect.objectContaining({
        code: 'E_CONFIG_INVALID',
        message: 'c.repo:3: option "ost_skip_injection" in section [r] must be a boolean, got "sure"',
        data: { file: 'c.repo', line: 3, key: 'ost_skip_injection' },
      }),
    );
  });

  it('does not duplicate a section when an insertion names an existing repo', () => {
    const text = '[x]\nbaseurl=http://x\n\n[b]\nbaseurl=http://b\n';
    const out = injectConfigText(text, mapOf({ 'before:b': [['x', 'http://other']] }), { source: 'c.repo' });
    expect(out.text).toBe(text);
    expect(out.inserted).toEqual([]);
    expect(out.warnings).toEqual(['c.repo: not inserting [x] before [b]: a section with that name already exists']);
  });

  it('writes new sections and options with "=" in files that use ":"', () => {
    expect(injectConfigText('[r]\nname: R\n', mapOf({ r: 'http://m' })).text).toBe('[r]\nname: R\nbaseurl = http://m\nproxy = None\n');
  });

  // Maps and locks are checked where they are read; a map built in code gets the same checks here.
  it('refuses a URL that would not be one baseurl, whoever built the map', () => {
    const repos = new Map([['a', 'http://x/a http://evil/']]);
    expect(() => injectConfigText('[a]\nbaseurl = http://old\n', { repos, before: new Map() }, { source: 'c.repo' })).toThrow(
      expect.objectContaining({ code: 'E_CONFIG_INVALID', message: expect.stringContaining('c.repo: cannot write the baseurl of [a]: the URL contains a space at character 11') }),
    );
    const before = new Map([['a', [{ repo: 'x', url: 'http://x/\n[evil]' }]]]);
    expect(() => injectConfigText('[a]\nbaseurl = http://old\n', { repos: new Map(), before }, { source: 'c.repo' })).toThrow(
      expect.objectContaining({ code: 'E_CONFIG_INVALID', message: 'c.repo: cannot write the baseurl of [x]: the URL contains a line feed (LF) at character 10' }),
    );
  });

  // Snapshots carry no repomd.xml.asc, so dnf refuses a repo_gpgcheck=1 repo pointed at one.
  it('warns about every injected or inserted section that checks metadata signatures, its own or from [main]', () => {
    const text = [
      '[main]', 'repo_gpgcheck = 1', '',
      '[own]', 'baseurl = http://old/own', 'repo_gpgcheck = True', '',
      '[inherits]', 'baseurl = http://old/inherits', '',
      '[off]', 'baseurl = http://old/off', 'repo_gpgcheck = 0', '',
      '[protected]', 'ost_skip_injection = 1', 'repo_gpgcheck = 1', '',
      '[untouched]', 'baseurl = http://old/untouched', '',
    ].join('\n');
    const map = mapOf({
      own: 'http://s/own/1',
      inherits: 'http://s/inherits/1',
      off: 'http://s/off/1',
      protected: 'http://s/protected/1',
      'before:own': [['inserted', 'http://s/inserted/1']],
    });
    const warnings: string[] = [];
    const logger = { info: () => undefined, debug: () => undefined, warn: (m: string) => void warnings.push(m), progress: () => ({ tick: () => undefined, done: () => undefined }) };
    const out = injectConfigText(text, map, { source: 'c.repo', logger });
    const why = `only snapshots of a repo that mirror sync signs have signed metadata (repomd.xml.asc), checked against the keys of gpgkey (list the store's signing key there); for any other, dnf fails with "GPG signature is not available": set repo_gpgcheck = 0 in that section (gpgcheck still checks the packages)`;
    expect(out.warnings).toEqual([
      `c.repo:4: [inserted] (inserted before [own]) has repo_gpgcheck on (from [main], line 2) and now reads http://s/inserted/1: ${why}`,
      `c.repo:4: [own] has repo_gpgcheck on (line 6) and now reads http://s/own/1: ${why}`,
      `c.repo:8: [inherits] has repo_gpgcheck on (from [main], line 2) and now reads http://s/inherits/1: ${why}`,
    ]);
    expect(warnings).toEqual(out.warnings);
  });
});
