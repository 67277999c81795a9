import { execFileSync } from 'node:child_process';
import { itWithTools } from '@ovirt-repo/test-support';
import { compareEvr, formatEvr } from './evr.js';
import { rpmvercmp } from './rpmvercmp.js';

// Pairs from rpm's own test suite (tests/rpmvercmp.at) plus edge cases; the expected values are checked
// against the real rpm below when it is installed.
const CASES: [string, string, number][] = [
  ['1.0', '1.0', 0], ['1.0', '2.0', -1], ['2.0', '1.0', 1], ['2.0.1', '2.0.1', 0], ['2.0', '2.0.1', -1],
  ['2.0.1', '2.0', 1], ['2.0.1a', '2.0.1a', 0], ['2.0.1a', '2.0.1', 1], ['2.0.1', '2.0.1a', -1],
  ['5.5p1', '5.5p1', 0], ['5.5p1', '5.5p2', -1], ['5.5p2', '5.5p1', 1], ['5.5p10', '5.5p10', 0],
  ['5.5p1', '5.5p10', -1], ['5.5p10', '5.5p1', 1], ['10xyz', '10.1xyz', -1], ['10.1xyz', '10xyz', 1],
  ['xyz10', 'xyz10', 0], ['xyz10', 'xyz10.1', -1], ['xyz10.1', 'xyz10', 1], ['xyz.4', 'xyz.4', 0],
  ['xyz.4', '8', -1], ['8', 'xyz.4', 1], ['xyz.4', '2', -1], ['2', 'xyz.4', 1], ['5.5p2', '5.6p1', -1],
  ['5.6p1', '5.5p2', 1], ['5.6p1', '6.5p1', -1], ['6.5p1', '5.6p1', 1], ['6.0.rc1', '6.0', 1],
  ['6.0', '6.0.rc1', -1], ['10b2', '10a1', 1], ['10a2', '10b2', -1], ['1.0aa', '1.0aa', 0],
  ['1.0a', '1.0aa', -1], ['1.0aa', '1.0a', 1], ['10.0001', '10.0001', 0], ['10.0001', '10.1', 0],
  ['10.1', '10.0001', 0], ['10.0001', '10.0039', -1], ['10.0039', '10.0001', 1], ['4.999.9', '5.0', -1],
  ['5.0', '4.999.9', 1], ['20101121', '20101121', 0], ['20101121', '20101122', -1], ['20101122', '20101121', 1],
  ['2_0', '2_0', 0], ['2.0', '2_0', 0], ['2_0', '2.0', 0], ['a', 'a', 0], ['a+', 'a+', 0], ['a+', 'a_', 0],
  ['a_', 'a+', 0], ['+a', '+a', 0], ['+a', '_a', 0], ['_a', '+a', 0], ['+_', '+_', 0], ['_+', '+_', 0],
  ['_+', '_+', 0], ['+', '_', 0], ['_', '+', 0], ['1.0~rc1', '1.0~rc1', 0], ['1.0~rc1', '1.0', -1],
  ['1.0', '1.0~rc1', 1], ['1.0~rc1', '1.0~rc2', -1], ['1.0~rc2', '1.0~rc1', 1], ['1.0~rc1~git123', '1.0~rc1~git123', 0],
  ['1.0~rc1~git123', '1.0~rc1', -1], ['1.0~rc1', '1.0~rc1~git123', 1], ['1.0^', '1.0^', 0], ['1.0^', '1.0', 1],
  ['1.0', '1.0^', -1], ['1.0^git1', '1.0^git1', 0], ['1.0^git1', '1.0', 1], ['1.0', '1.0^git1', -1],
  ['1.0^git1', '1.0^git2', -1], ['1.0^git2', '1.0^git1', 1], ['1.0^git1', '1.01', -1], ['1.01', '1.0^git1', 1],
  ['1.0^20160101', '1.0^20160101', 0], ['1.0^20160101', '1.0.1', -1], ['1.0.1', '1.0^20160101', 1],
  ['1.0^20160101^git1', '1.0^20160101^git1', 0], ['1.0^20160102', '1.0^20160101^git1', 1],
  ['1.0^20160101^git1', '1.0^20160102', -1], ['1.0~rc1^git1', '1.0~rc1^git1', 0], ['1.0~rc1^git1', '1.0~rc1', 1],
  ['1.0~rc1', '1.0~rc1^git1', -1], ['1.0^git1~pre', '1.0^git1~pre', 0], ['1.0^git1', '1.0^git1~pre', 1],
  ['1.0^git1~pre', '1.0^git1', -1], ['1.0a', '1.0', 1], ['1.0', '1.0a', -1], ['1..0', '1.0', 0], ['', '', 0],
  ['1', '', 1], ['', '1', -1], ['~', '', -1], ['^', '', 1], ['1.0é', '1.0', 0], ['0001', '1', 0],
];

describe('rpmvercmp', () => {
  it.each(CASES)('rpmvercmp(%j, %j) = %d', (a, b, want) => {
    expect(rpmvercmp(a, b)).toBe(want);
  });

  itWithTools(['rpm'], 'agrees with the installed rpm on every case', () => {
    // One rpm process evaluates all pairs through its Lua binding of the C rpmvercmp.
    // rpm.vercmp parses its arguments as EVRs and refuses empty ones.
    const pairs = CASES.filter(([a, b]) => a !== '' && b !== '');
    const lua = pairs.map(([a, b]) => `print(rpm.vercmp(${JSON.stringify(a)}, ${JSON.stringify(b)}) .. "\\n")`).join(' ');
    const out = execFileSync('rpm', ['--eval', `%{lua: ${lua}}`], { encoding: 'utf8' }).trim().split('\n').map(Number);
    expect(out).toEqual(pairs.map(([a, b]) => rpmvercmp(a, b)));
  });
});

describe('compareEvr', () => {
  it('compares epoch first, then version, then release', () => {
    expect(compareEvr({ epoch: '1', version: '1.0', release: '1' }, { epoch: '0', version: '9.0', release: '9' })).toBe(1);
    expect(compareEvr({ version: '1.0', release: '2' }, { epoch: '0', version: '1.0', release: '10' })).toBe(-1);
    expect(compareEvr({ version: '1.0', release: '1.el9' }, { version: '1.0', release: '1.el9' })).toBe(0);
    expect(compareEvr({ epoch: '0', version: '1.10', release: '1' }, { epoch: '0', version: '1.9', release: '1' })).toBe(1);
    expect(compareEvr({ epoch: '0', version: '1.0~rc1', release: '1' }, { epoch: '0', version: '1.0', release: '1' })).toBe(-1);
  });

  it('takes a missing or empty epoch as 0, and compares epochs as numbers of any length (as dnf does)', () => {
    expect(compareEvr({ epoch: '', version: '1', release: '2.el9' }, { epoch: '0', version: '1', release: '2.el9' })).toBe(0);
    expect(compareEvr({ epoch: '01', version: '1', release: '1' }, { epoch: '1', version: '1', release: '1' })).toBe(0);
    expect(compareEvr({ epoch: '10', version: '1', release: '1' }, { epoch: '9', version: '2', release: '1' })).toBe(1);
    expect(compareEvr({ epoch: '99999999999999999999', version: '1', release: '1' }, { epoch: '99999999999999999998', version: '2', release: '1' })).toBe(1);
  });

  it('formats epoch:version-release as rpm prints it', () => {
    expect(formatEvr({ epoch: '0', version: '1.0', release: '1' })).toBe('1.0-1');
    expect(formatEvr({ epoch: '2', version: '1.0', release: '1' })).toBe('2:1.0-1');
  });
});
