import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { displayUri, uriKind } from './kind.js';
import { fileUrlOf, localPathOf, resolveUri } from './resolve.js';

describe('uriKind', () => {
  it.each([
    ['http://h/x', 'http'],
    ['HTTPS://h/x', 'http'],
    ['file:///x', 'file'],
    ['data:application/json,{}', 'data'],
    ['/abs/path.json', 'path'],
    ['rel/path.yaml', 'path'],
    ['ftp://h/x', undefined],
  ])('%s is %s', (uri, kind) => expect(uriKind(uri)).toBe(kind));
});

describe('resolveUri', () => {
  // The first row is mirror_client's own normalize_mirror_urls test: the same results are expected.
  it.each([
    ['https://foo.bar.com/mirrors/latest.json', 'http://example.com/repo1', 'http://example.com/repo1'],
    ['https://foo.bar.com/mirrors/latest.json', '/repos/repo2', 'https://foo.bar.com/repos/repo2'],
    ['https://foo.bar.com/mirrors/latest.json', 'packages/repo3', 'https://foo.bar.com/mirrors/packages/repo3'],
    ['http://store/yum/all_latest.json', 'ovirt-el8/2024-01-01T00-00-00Z', 'http://store/yum/ovirt-el8/2024-01-01T00-00-00Z'],
    ['http://store/yum/sub/map.json', '../x/y', 'http://store/yum/x/y'],
    ['file:///srv/store/yum/all_latest.json', 'repo/1', 'file:///srv/store/yum/repo/1'],
    ['/srv/store/yum/all_latest.json', 'repo/1', '/srv/store/yum/repo/1'],
    ['/srv/store/yum/all_latest.json', '/other/repo', '/other/repo'],
    ['/srv/store/yum/all_latest.json', 'file:///x', 'file:///x'],
    ['data:application/json,{}', 'repo/1', 'repo/1'],
    ['http://h/a/b.json', '', 'http://h/a/b.json'],
  ])('%s + %s = %s', (base, ref, expected) => expect(resolveUri(base, ref)).toBe(expected));

  it('resolves against a relative path base from the working directory', () => {
    expect(resolveUri('maps/m.json', 'repo')).toBe(join(process.cwd(), 'maps', 'repo'));
  });
});

describe('local paths', () => {
  it('maps file:// URLs and paths to absolute paths, and back', () => {
    expect(localPathOf('file:///srv/a%20b.json')).toBe('/srv/a b.json');
    expect(localPathOf('x.json')).toBe(join(process.cwd(), 'x.json'));
    expect(fileUrlOf('/srv/a b.json')).toBe(pathToFileURL('/srv/a b.json').href);
  });

  it('refuses file URLs with a remote host', () => {
    expect(() => localPathOf('file://otherhost/x')).toThrow(/not a local file URL/);
  });
});

describe('displayUri', () => {
  it('shortens long data: URLs only', () => {
    const long = `data:application/json,${'x'.repeat(200)}`;
    expect(displayUri(long)).toMatch(/^data:application\/json,x+… \(222 characters\)$/);
    expect(displayUri(`http://h/${'x'.repeat(200)}`)).toHaveLength(209);
  });
});
