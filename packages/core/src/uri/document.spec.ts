import { parseStructuredText } from './document.js';
import { jsonErrorOffset } from './json-error-offset.js';

describe('parseStructuredText', () => {
  it('parses JSON and names the line of any key', () => {
    const doc = parseStructuredText('{\n  "latest_ci_repos": {\n    "a-el8": "x",\n    "before:b": [["c", "y"]]\n  }\n}\n', 'm.json');
    expect(doc.value).toEqual({ latest_ci_repos: { 'a-el8': 'x', 'before:b': [['c', 'y']] } });
    expect(doc.lineOf(['latest_ci_repos', 'a-el8'])).toBe(3);
    expect(doc.lineOf(['latest_ci_repos', 'before:b'])).toBe(4);
    expect(doc.lineOf(['latest_ci_repos', 'before:b', 0, 1])).toBe(4);
  });

  it('parses YAML (the all_latest.yaml index format)', () => {
    const doc = parseStructuredText("---\nlatest_ci_repos:\n  a-el8: 'http://s/yum/a-el8/1'\n  b-el8: 'http://s/yum/b-el8/2'\n", 'm.yaml');
    expect(doc.value).toEqual({ latest_ci_repos: { 'a-el8': 'http://s/yum/a-el8/1', 'b-el8': 'http://s/yum/b-el8/2' } });
    expect(doc.lineOf(['latest_ci_repos', 'b-el8'])).toBe(4);
  });

  it('ignores a byte order mark', () => {
    expect(parseStructuredText('\uFEFF{"a": "b"}', 'bom.json').value).toEqual({ a: 'b' });
    expect(parseStructuredText('\uFEFFa: b\n', 'bom.yaml').value).toEqual({ a: 'b' });
  });

  it('accepts tab-indented JSON', () => {
    const doc = parseStructuredText('{\n\t"a": {\n\t\t"b": "c"\n\t}\n}', 'tabs.json');
    expect(doc.value).toEqual({ a: { b: 'c' } });
  });

  it('names the line of a JSON syntax error', () => {
    expect(() => parseStructuredText('{\n  "a": "b",\n  "c": \n}\n', 'bad.json')).toThrow(
      expect.objectContaining({ code: 'E_CONFIG_INVALID', message: expect.stringMatching(/^bad\.json:4: not valid JSON/) }),
    );
  });

  it('names the line of a YAML syntax error and refuses duplicate keys', () => {
    expect(() => parseStructuredText('a: 1\nb: [1, 2\n', 'bad.yaml')).toThrow(/^bad\.yaml:\d+: not valid YAML/);
    expect(() => parseStructuredText('a: 1\na: 2\n', 'dup.yaml')).toThrow(/dup\.yaml:2: not valid YAML: .*unique/i);
  });
});

describe('jsonErrorOffset', () => {
  it.each([
    ['{"a": 1}', undefined],
    ['[1, -2.5e3, "x\\u00e9", true, false, null, {}]', undefined],
    ['{"a": }', 6],
    ['{"a": 1,}', 8],
    ['{"a" 1}', 5],
    ['[1 2]', 3],
    ['{"a": "b\\x"}', 9],
    ['{"a": 01}', 7],
    ['{} x', 3],
    ['{"a": tru}', 9],
    ['{"a": "b', 8],
  ])('%s -> %s', (text, offset) => expect(jsonErrorOffset(text)).toBe(offset));
});
