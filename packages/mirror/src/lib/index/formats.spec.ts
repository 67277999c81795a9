import { renderIndex } from './formats.js';

const entries = [
  ['el9', 'http://m/repos/yum/el9/20260101T000000.000Z'],
  ["odd'name", 'http://m/x'],
] as const;

describe('index formats', () => {
  it('json is what mirror_client reads', () => {
    expect(JSON.parse(renderIndex('json', entries))).toEqual({ latest_ci_repos: { el9: entries[0][1], "odd'name": 'http://m/x' } });
  });

  it('yaml and py are the mirror_mgr.sh layouts, safely quoted', () => {
    expect(renderIndex('yaml', entries)).toBe(`---\nlatest_ci_repos:\n  'el9': '${entries[0][1]}'\n  'odd''name': 'http://m/x'\n`);
    expect(renderIndex('py', entries)).toBe(`latest_ci_repos = {\n    'el9': '${entries[0][1]}',\n    'odd\\'name': 'http://m/x',\n}\n`);
    expect(renderIndex('yaml', [])).toBe('---\nlatest_ci_repos: {}\n');
    expect(renderIndex('py', [], 'repos')).toBe('repos = {\n}\n');
  });

  it('html escapes names and links the URLs', () => {
    const h = renderIndex('html', [['<b>', 'http://m/?a=1&b=2']]);
    expect(h).toContain('<td>&lt;b&gt;</td>');
    expect(h).toContain('<a href="http://m/?a=1&amp;b=2">');
  });
});
