import { hrefProblem, isValidRepoName, validateDigest, validateHref, fileNameProblem } from './names.js';
import { formatSnapshotId, nextSnapshotId, parseSnapshotId } from './snapshot-id.js';
import { parsePoolHref, poolHref, snapshotUrl } from './layout.js';

describe('repo names', () => {
  it.each(['el9', 'experimental-4.5-el9', 'centos-stream.9', 'a+b', 'X_1'])('accepts %s', (n) => expect(isValidRepoName(n)).toBe(true));
  it.each(['', '.hidden', '..', 'a..b', 'a/b', '-x', 'a b', 'all_latest', 'all_latest.json', 'a\\b', 'x'.repeat(201), 'é'])('rejects %j', (n) =>
    expect(isValidRepoName(n)).toBe(false),
  );
});

describe('snapshot ids', () => {
  it('format UTC time to the millisecond and parse back', () => {
    const t = Date.UTC(2026, 10, 26, 10, 22, 33, 123);
    expect(formatSnapshotId(t)).toBe('20261126T102233.123Z');
    expect(parseSnapshotId('20261126T102233.123Z')).toBe(t);
    expect(parseSnapshotId('20261326T102233.123Z')).toBeUndefined();
    expect(parseSnapshotId('../20261126T102233.123Z')).toBeUndefined();
  });

  it('are strictly greater than every existing id, even in the same millisecond or with a clock going back', () => {
    const t = Date.UTC(2026, 0, 1);
    const a = nextSnapshotId([], t);
    const b = nextSnapshotId([a], t);
    const c = nextSnapshotId([a, b], t - 5000);
    expect([a, b, c]).toEqual(['20260101T000000.000Z', '20260101T000000.001Z', '20260101T000000.002Z']);
    expect([c, a, b].sort()).toEqual([a, b, c]);
    expect(nextSnapshotId([a, 'junk'], t + 10)).toBe('20260101T000000.010Z');
  });
});

describe('hrefs and file names from remote metadata', () => {
  // The rule itself is core's (fs/file-names.spec.ts); these are the ones mirror sync meets.
  it.each(['Packages/a/foo-1.0-1.noarch.rpm', 'foo.rpm', 'pool/ab/abcd/foo+bar^1~2.rpm', 'x/foo%2b1.rpm', 'a/b.rpm?x', 'C:/x.rpm'])('accepts %s', (h) =>
    expect(hrefProblem(h)).toBeUndefined(),
  );
  it.each([
    '../foo.rpm', 'a/../../foo.rpm', '/etc/passwd', 'a\\..\\b.rpm', 'a\0.rpm', 'file:///etc/passwd', 'http://x/y.rpm',
    '%2e%2e/foo.rpm', 'a/%2E%2E/b.rpm', 'a//b.rpm', 'a/%2fb.rpm', '', './x/foo.rpm', 'a/\nb.rpm',
  ])('rejects %j', (h) => {
    expect(hrefProblem(h)).toBeDefined();
    expect(() => validateHref(h, 'primary.xml')).toThrow(expect.objectContaining({ code: 'E_UNSAFE_PATH' }));
  });

  it('checks file names', () => {
    expect(fileNameProblem('foo-1.0-1.noarch.rpm', '.rpm')).toBeUndefined();
    for (const bad of ['..', '.x.rpm', 'a/b.rpm', 'x.txt', 'x'.repeat(300) + '.rpm']) expect(fileNameProblem(bad, '.rpm')).toBeDefined();
  });

  it('checks digests by type', () => {
    expect(validateDigest('sha256', 'AB'.repeat(32), 'x')).toBe('ab'.repeat(32));
    expect(() => validateDigest('sha256', 'ab'.repeat(20), 'x')).toThrow(expect.objectContaining({ code: 'E_REPODATA_INVALID' }));
    expect(() => validateDigest('sha256', '../'.repeat(22).slice(0, 64), 'x')).toThrow();
    expect(() => validateDigest('crc32', 'abcd', 'x')).toThrow();
  });
});

describe('pool and URLs', () => {
  it('derives pool hrefs from the digest and parses them back', () => {
    const d = 'ab'.repeat(32);
    const h = poolHref(d, 'foo-1.0-1.noarch.rpm');
    expect(h).toBe(`pool/ab/${d}/foo-1.0-1.noarch.rpm`);
    expect(parsePoolHref(h)).toEqual({ digest: d, name: 'foo-1.0-1.noarch.rpm' });
    expect(parsePoolHref(`pool/cd/${d}/foo.rpm`)).toBeUndefined();
    expect(parsePoolHref('Packages/foo.rpm')).toBeUndefined();
    expect(parsePoolHref(`pool/ab/${d}/with space %{x}.rpm`)).toEqual({ digest: d, name: 'with space %{x}.rpm' });
    expect(parsePoolHref(`pool/ab/${d}/.hidden.rpm`)).toBeUndefined();
    expect(() => poolHref(d, '../x.rpm')).toThrow();
  });

  it('builds snapshot URLs', () => {
    expect(snapshotUrl('http://mirrors.example.org/repos/', 'el9', '20260101T000000.000Z')).toBe('http://mirrors.example.org/repos/yum/el9/20260101T000000.000Z');
  });
});
