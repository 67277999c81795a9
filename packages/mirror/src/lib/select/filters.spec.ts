import { globToRegExp, splitList } from './glob.js';
import { makeFilter, packageSpellings } from './filters.js';

const pkg = (name: string, version = '1.0', release = '1', arch = 'x86_64', epoch = '0') => ({ name, version, release, arch, epoch });

describe('globs', () => {
  it('match like fnmatch', () => {
    expect(globToRegExp('vdsm*').test('vdsm-python')).toBe(true);
    expect(globToRegExp('vdsm?').test('vdsmx')).toBe(true);
    expect(globToRegExp('vdsm?').test('vdsm')).toBe(false);
    expect(globToRegExp('lib[ab]c').test('libbc')).toBe(true);
    expect(globToRegExp('lib[!ab]c').test('libbc')).toBe(false);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
    expect(globToRegExp('x[').test('x[')).toBe(true);
  });

  it('split yum lists on commas and whitespace', () => {
    expect(splitList('a*, b\n c')).toEqual(['a*', 'b', 'c']);
    expect(splitList(['a,b', 'c'])).toEqual(['a', 'b', 'c']);
    expect(splitList(undefined)).toEqual([]);
  });
});

describe('package filters', () => {
  it('match every yum spelling of a package', () => {
    expect(packageSpellings(pkg('foo', '1.2', '3', 'noarch', '2'))).toEqual([
      'foo', 'foo.noarch', 'foo-1.2', 'foo-1.2-3', 'foo-1.2-3.noarch', 'foo-2:1.2-3.noarch', '2:foo-1.2-3.noarch',
    ]);
  });

  it('keeps listed arches plus noarch; src only when asked', () => {
    const f = makeFilter({ arch: ['x86_64'] });
    expect(f(pkg('a', '1', '1', 'x86_64'))).toBe(true);
    expect(f(pkg('a', '1', '1', 'noarch'))).toBe(true);
    expect(f(pkg('a', '1', '1', 'i686'))).toBe(false);
    expect(f(pkg('a', '1', '1', 'src'))).toBe(false);
    expect(makeFilter({ arch: ['x86_64', 'src'] })(pkg('a', '1', '1', 'src'))).toBe(true);
  });

  it('applies includepkgs then exclude', () => {
    const f = makeFilter({ include: ['vdsm*', 'ovirt-engine-4.5*'], exclude: ['*-debuginfo', 'vdsm-hook-*.noarch'] });
    expect(f(pkg('vdsm'))).toBe(true);
    expect(f(pkg('vdsm-debuginfo'))).toBe(false);
    expect(f(pkg('vdsm-hook-foo', '1', '1', 'noarch'))).toBe(false);
    expect(f(pkg('ovirt-engine', '4.5.1'))).toBe(true);
    expect(f(pkg('ovirt-engine', '4.4.1'))).toBe(false);
    expect(f(pkg('bash'))).toBe(false);
  });
});
