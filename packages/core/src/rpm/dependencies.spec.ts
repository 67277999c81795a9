import { isPrimaryFile } from './files.js';
import { compareLibcDependency, parseDependencyEvr, rpmSenseToFlag } from './index.js';

// Expected values follow createrepo_c's C code (misc.c cr_str_to_evr, parsehdr.c cr_compare_dependency);
// the whole pipeline is also compared with createrepo_c's own output in legacy.spec.ts.
describe('parseDependencyEvr', () => {
  it.each([
    ['', {}],
    ['1.0', { epoch: '0', version: '1.0' }],
    ['2:1.0-3.el9', { epoch: '2', version: '1.0', release: '3.el9' }],
    [':1.0', { epoch: '0', version: '1.0' }],
    ['1.0-', { epoch: '0', version: '1.0', release: undefined }],
    ['7:', { epoch: '7', version: '' }],
    ['1:2:3-4-5', { epoch: '1', version: '2:3', release: '4-5' }],
    [' +3:1', { epoch: ' +3', version: '1' }],
  ])('%j', (input, expected) => {
    expect(parseDependencyEvr(input)).toEqual(expected);
  });

  it.each(['x:1', '1x:1', '+:1', ' :1'])('%j has a bad epoch', (input) => {
    expect(parseDependencyEvr(input)).toBe('bad-epoch');
  });
});

describe('compareLibcDependency', () => {
  it.each([
    ['libc.so.6', 'libc.so.6', 0],
    ['libc.so.6', 'libc.so.6(GLIBC_2.2.5)(64bit)', 2],
    ['libc.so.6(GLIBC_2.2.5)(64bit)', 'libc.so.6', 1],
    ['libc.so.6()(64bit)', 'libc.so.6(GLIBC_2.2.5)(64bit)', 2],
    ['libc.so.6(GLIBC_2.4)(64bit)', 'libc.so.6(GLIBC_2.14)(64bit)', 2],
    ['libc.so.6(GLIBC_2.14)(64bit)', 'libc.so.6(GLIBC_2.4)(64bit)', 1],
    ['libc.so.6(GLIBC_2.3.4)(64bit)', 'libc.so.6(GLIBC_2.3.4)', 0],
    ['libc.so.6(GLIBC_PRIVATE)(64bit)', 'libc.so.6(GLIBC_2.1)', 2],
    ['libc.so.6(GLIBC_PRIVATE)', 'libc.so.6(GLIBC_X)', 0],
    ['libc.so.6(GLIBC_2.1', 'libc.so.6(GLIBC_2.2', -1],
  ] as const)('%s vs %s -> %d', (a, b, expected) => {
    expect(compareLibcDependency(a, b)).toBe(expected);
  });
});

describe('rpmSenseToFlag', () => {
  it('maps only the five comparison combinations', () => {
    expect([0, 2, 4, 8, 10, 12, 6, 14, 3].map(rpmSenseToFlag)).toEqual([undefined, 'LT', 'GT', 'EQ', 'LE', 'GE', undefined, undefined, undefined]);
    expect(rpmSenseToFlag((1 << 9) | 12)).toBe('GE');
  });
});

describe('isPrimaryFile', () => {
  it('selects /etc/, /usr/lib/sendmail and anything containing bin/', () => {
    const paths = ['/etc/x', '/etc', '/usr/lib/sendmail', '/usr/lib/sendmail2', '/usr/bin/a', '/opt/sbin/b', '/usr/share/cabin/x', '/usr/lib/x'];
    expect(paths.filter(isPrimaryFile)).toEqual(['/etc/x', '/usr/lib/sendmail', '/usr/bin/a', '/opt/sbin/b', '/usr/share/cabin/x']);
  });
});
