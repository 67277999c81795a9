import { execFileSync } from 'node:child_process';
import { describeWithTools } from '@ovirt-repo/test-support';
import { rpmvercmp } from './index.js';

const PAIRS: [string, string][] = [
  ['1.0', '1.0'], ['1.0', '2.0'], ['2.0.1', '2.0'], ['2.0', '2.0.1'], ['1.0a', '1.0'], ['1.0', '1.0a'],
  ['10', '9'], ['010', '10'], ['1.01', '1.1'], ['1.a', '1.1'], ['a', 'b'], ['B', 'a'], ['1.0~rc1', '1.0'],
  ['1.0~rc1', '1.0~rc2'], ['1.0~rc1~git', '1.0~rc1'], ['1.0^', '1.0'], ['1.0^git1', '1.0'], ['1.0^git1', '1.0.1'],
  ['1.0^git1', '1.0^git2'], ['1.0^git1~pre', '1.0^git1'], ['1_0', '1.0'], ['1..0', '1.0'], ['1.0.', '1.0'],
  ['abc', '123'], ['GLIBC_2.14', 'GLIBC_2.4'], ['2.3.4', '2.17'], ['2.2.5', '2.17'],
  ['99999999999999999999', '99999999999999999998'], ['1.0+ü', '1.0+'], ['x.y.z', 'x.y'], ['5.5p1', '5.5p10'],
];

describeWithTools(['rpm'], 'rpmvercmp', () => {
  it('orders versions exactly as rpm.vercmp does', () => {
    // One rpm run for all pairs: Lua long strings need no escaping (none of the pairs contain "]]" or "%").
    // rpm.vercmp parses E:V-R, so the pairs avoid ":" and "-" and thus compare as plain versions.
    const lua = PAIRS.map(([a, b]) => `print(rpm.vercmp([[${a}]], [[${b}]]) .. " ")`).join(' ');
    const expected = execFileSync('rpm', ['--eval', `%{lua: ${lua}}`], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
    expect(expected).toHaveLength(PAIRS.length);
    expect(PAIRS.map(([a, b]) => rpmvercmp(a, b))).toEqual(expected);
  });
});
