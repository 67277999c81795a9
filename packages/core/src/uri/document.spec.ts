import { parseStructuredText } from './document.js';
import { jsonOffsetOf, jsonProblem } from './json-error-offset.js';

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
    expect(() => parseStructuredText('a: 1\na: 2\n', 'dup.yaml')).toThrow(
      expect.objectContaining({ code: 'E_CONFIG_INVALID', message: 'dup.yaml:2: not valid YAML: key "a" appears twice (first on line 1)', data: { uri: 'dup.yaml', line: 2, key: 'a' } }),
    );
  });

  it.each([
    ['{\n  "a": 1,\n  "a": 2\n}', 3, 'a', 2],
    ['{"m": {\n  "x": "1",\n  "y": "2",\n  "\\u0078": "3"}}', 4, 'x', 2],
    ['[{"k": 1}, {"k": 2, \n"k": 3}]', 2, 'k', 1],
  ])('refuses duplicate keys in JSON: %j', (text, line, key, first) => {
    expect(() => parseStructuredText(text, 'dup.json')).toThrow(
      expect.objectContaining({
        code: 'E_CONFIG_INVALID',
        message: `dup.json:${line}: not valid JSON: key "${key}" appears twice (first on line ${first})`,
        data: { uri: 'dup.json', line, key },
      }),
    );
  });

  it('refuses a YAML alias bomb, and an alias to an unknown anchor, as invalid documents', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefghi'[i]}`).join(',')}]`)].join('\n');
    expect(() => parseStructuredText(bomb, 'bomb.yaml')).toThrow(
      expect.objectContaining({ code: 'E_CONFIG_INVALID', message: expect.stringMatching(/^bomb\.yaml: not valid YAML: its aliases expand to more than \d+ nodes/) }),
    );
    expect(() => parseStructuredText('a: *nowhere\n', 'alias.yaml')).toThrow(
      expect.objectContaining({ code: 'E_CONFIG_INVALID', message: 'alias.yaml: not valid YAML: an alias names an anchor that is not defined before it' }),
    );
  });

  // A map or lock option pointing at the wrong file (a key, a password file) must not print it in a CI log.
  it.each([
    ['{"password": s3cr3t-value}', 'JSON', 1],
    ['{\n  "a": "b",\n  "c": s3cr3t-value\n}', 'JSON', 3],
    ['{"s3cr3t-value": 1} s3cr3t-value', 'JSON', 1],
    ['key: value\nother: |s3cr3t-value\n', 'YAML', 2],
    ['a: "\\xs3"\n', 'YAML', 1],
  ])('a syntax error never quotes the document: %j', (text, format, line) => {
    let error: unknown;
    try {
      parseStructuredText(text, 'secret.txt');
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'E_CONFIG_INVALID', message: expect.stringMatching(new RegExp(`^secret\\.txt:${line}: not valid ${format}: `)) });
    expect(JSON.stringify(error) + String((error as Error).message)).not.toMatch(/s3/);
  });
});

describe('jsonProblem', () => {
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
  ])('%s -> %s', (text, offset) => expect(jsonProblem(text)?.offset).toBe(offset));

  it('names a repeated key and where it first appeared', () => {
    expect(jsonProblem('{"a": {"b": 1, "c": 2, "b": 3}}')).toEqual({ offset: 23, reason: 'repeated key', duplicate: { key: 'b', first: 7 } });
  });

  it('refuses nesting deeper than its limit instead of overflowing the stack', () => {
    expect(jsonProblem(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toMatchObject({ offset: 512, reason: 'values nested more than 512 levels deep' });
  });

  it('finds the offset of a key or item, or of the deepest part of a path that exists', () => {
    const text = '{"a": {"b": [10, {"c": 1}]}, "d": 2}';
    expect(jsonOffsetOf(text, ['a', 'b', 1, 'c'])).toBe(text.indexOf('"c"'));
    expect(jsonOffsetOf(text, ['a', 'b', 0])).toBe(text.indexOf('10'));
    expect(jsonOffsetOf(text, ['d'])).toBe(text.indexOf('"d"'));
    expect(jsonOffsetOf(text, ['a', 'missing'])).toBe(text.indexOf('"a"'));
    expect(jsonOffsetOf(text, [])).toBe(0);
  });
});
