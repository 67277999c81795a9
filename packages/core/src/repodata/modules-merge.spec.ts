import { silentLogger } from '../log/logger.js';
import { mergeModuleDocuments } from './modules-merge.js';

const stream = (version: number, artifact: string, summary = 'Web server') => `---
document: modulemd
version: 2
data:
  name: httpd
  stream: "2.4"   # quoted, as libmodulemd writes it
  version: ${version}
  context: c0ffee42
  arch: x86_64
  summary: ${summary}
  license:
    module: [MIT]
  artifacts:
    rpms:
    - ${artifact}
...
`;

const defaults = (o: { stream?: string; modified?: number; profiles?: Record<string, string[]> }) => `---
document: modulemd-defaults
version: 1
data:
  module: httpd
${o.modified === undefined ? '' : `  modified: ${o.modified}\n`}${o.stream === undefined ? '' : `  stream: "${o.stream}"\n`}${
  o.profiles ? `  profiles:\n${Object.entries(o.profiles).map(([s, p]) => `    "${s}": [${p.join(', ')}]\n`).join('')}` : ''
}...
`;

function merge(...texts: string[]) {
  const warnings: string[] = [];
  const text = mergeModuleDocuments(
    texts.map((t, i) => ({ text: t, from: `repo${i + 1}`, file: `repo${i + 1}/modules.yaml` })),
    { ...silentLogger, warn: (m) => void warnings.push(m) },
  );
  return { text, warnings };
}

const documents = (text: string) => text.split(/^---$/m).filter((d) => d.trim() !== '');

describe('mergeModuleDocuments', () => {
  it('keeps every module build once, written back as the source wrote it, in the order first seen', () => {
    const v1 = stream(1, 'httpd-0:2.4.25-1.x86_64');
    const v2 = stream(2, 'httpd-0:2.4.25-2.x86_64');
    const { text, warnings } = merge(v1, `${v2}${v1}`);
    expect(text).toBe(`${v1}${v2}`);
    expect(warnings).toEqual([]);
  });

  it('keeps the first of two different builds under one name:stream:version:context:arch, with a warning (as libmodulemd)', () => {
    const { text, warnings } = merge(stream(1, 'a-0:1-1.x86_64'), stream(1, 'b-0:1-1.x86_64'));
    expect(documents(text)).toHaveLength(1);
    expect(text).toContain('a-0:1-1.x86_64');
    expect(warnings).toEqual([expect.stringMatching(/httpd:2\.4:1:c0ffee42:x86_64 of repo2 differs from the one of repo1.*keeps the one of repo1/)]);
  });

  it('merges defaults: a stream only one side names, profiles of other streams added', () => {
    const { text, warnings } = merge(defaults({ profiles: { '2.2': ['minimal'] } }), defaults({ stream: '2.4', profiles: { '2.4': ['default'] } }));
    expect(documents(text)).toHaveLength(1);
    expect(text).toMatch(/stream: "2\.4"/);
    expect(text).toMatch(/"2\.2":\s+- minimal/);
    expect(text).toMatch(/"2\.4":\s+- default/);
    expect(warnings).toEqual([]);
  });

  it('merges defaults: of two default streams the higher modified wins, whichever comes first', () => {
    for (const order of [[1, 2], [2, 1]]) {
      const docs = order.map((m) => defaults({ stream: m === 2 ? '2.6' : '2.4', modified: m }));
      const { text, warnings } = merge(...docs);
      expect(text).toMatch(/stream: "2\.6"/);
      expect(text).toMatch(/modified: 2\n/);
      expect(warnings).toEqual([]);
    }
  });

  it('merges defaults: two default streams at the same modified leave none, with a warning, and later ones do not restore it', () => {
    const { text, warnings } = merge(defaults({ stream: '2.4', modified: 5 }), defaults({ stream: '2.6', modified: 5 }), defaults({ stream: '2.4', modified: 5 }));
    expect(text).not.toContain('stream:');
    expect(text).toContain('module: httpd');
    expect(warnings).toEqual([expect.stringMatching(/module httpd: default stream "2\.4" of repo1 and "2\.6" of repo2 conflict/)]);
  });

  it('merges defaults: different profiles of one stream take the higher modified, and fail at the same modified', () => {
    const newer = merge(defaults({ modified: 1, profiles: { '2.4': ['a'] } }), defaults({ modified: 2, profiles: { '2.4': ['b'] } })).text;
    // The merge is the newer document itself, written as it was.
    expect(newer).toBe(defaults({ modified: 2, profiles: { '2.4': ['b'] } }));
    expect(() => merge(defaults({ profiles: { '2.4': ['a'] } }), defaults({ profiles: { '2.4': ['b'] } }))).toThrow(
      expect.objectContaining({ code: 'E_REPODATA_INVALID', message: expect.stringMatching(/httpd: the default profiles of stream 2\.4 differ between repo1 \(\[a\]\) and repo2 \(\[b\]\)/) }),
    );
    // The same set in another order is the same profiles.
    expect(merge(defaults({ profiles: { '2.4': ['a', 'b'] } }), defaults({ profiles: { '2.4': ['b', 'a'] } })).warnings).toEqual([]);
  });

  it('writes identical defaults once, as the source wrote them', () => {
    const d = defaults({ stream: '2.4', modified: 3, profiles: { '2.4': ['default'] } });
    expect(merge(d, d).text).toBe(d);
  });

  it('keeps obsoletes per module, stream, context and modified (a later one replacing an earlier), translations by the higher modified', () => {
    const obsoletes = (message: string, modified = '2026-01-01T00:00Z') =>
      `---\ndocument: modulemd-obsoletes\nversion: 1\ndata:\n  modified: ${modified}\n  module: httpd\n  stream: "2.4"\n  message: ${message}\n...\n`;
    const translations = (modified: number, summary: string) =>
      `---\ndocument: modulemd-translations\nversion: 1\ndata:\n  module: httpd\n  stream: "2.4"\n  modified: ${modified}\n  translations:\n    de:\n      summary: ${summary}\n...\n`;
    const { text, warnings } = merge(`${obsoletes('old')}${translations(2, 'neu')}`, `${obsoletes('new')}${obsoletes('other', '2026-02-01T00:00Z')}${translations(1, 'alt')}`);
    expect(text).toContain('message: new');
    expect(text).not.toContain('message: old');
    expect(text).toContain('message: other');
    expect(text).toContain('summary: neu');
    expect(text).not.toContain('summary: alt');
    expect(warnings).toEqual([expect.stringMatching(/obsoletes httpd:2\.4: .* of repo2 differs from the one of repo1; .* keeps the one of repo2/)]);
  });

  it('keeps documents of other kinds, each distinct one once', () => {
    const other = '---\ndocument: modulemd-packager\nversion: 3\ndata:\n  name: x\n...\n';
    const another = '---\ndocument: modulemd-packager\nversion: 3\ndata:\n  name: y\n...\n';
    expect(merge(other, `${other}${another}`).text).toBe(`${other}${another}`);
  });

  it('is idempotent: merging a merge with one of its inputs again gives the same text', () => {
    const a = `${stream(1, 'a-0:1-1.x86_64')}${defaults({ profiles: { '2.2': ['minimal'] } })}`;
    const b = `${stream(2, 'a-0:1-2.x86_64')}${defaults({ stream: '2.4', profiles: { '2.4': ['default'] } })}`;
    const once = merge(a, b).text;
    expect(merge(once, b).text).toBe(once);
    expect(merge(once, a).text).toBe(once);
  });

  it('keeps a document indented below its marker whole', () => {
    const indented = '---\n  document: modulemd-packager\n  version: 3\n  data:\n    name: x\n...\n';
    const { text } = merge(indented, stream(1, 'a-0:1-1.x86_64'));
    expect(text).toContain(indented);
  });

  it('refuses aliases (an alias bomb stays small), bad YAML and documents that are not module metadata, naming the file', () => {
    const bomb = ['---', 'document: modulemd', 'version: 2', 'data:', '  a: &a [x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 20 }, (_, i) => `  b${i}: &b${i} [*${i === 0 ? 'a' : `b${i - 1}`}, *${i === 0 ? 'a' : `b${i - 1}`}]`), '...', ''].join('\n');
    const started = Date.now();
    expect(() => merge(bomb, stream(1, 'a-0:1-1.x86_64'))).toThrow(expect.objectContaining({ code: 'E_REPODATA_INVALID', message: expect.stringMatching(/repo1\/modules\.yaml \(document 1\) uses a YAML alias/) }));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(() => merge('---\ndocument: [unclosed\n', stream(1, 'a'))).toThrow(expect.objectContaining({ code: 'E_REPODATA_INVALID', message: expect.stringContaining('repo1/modules.yaml (document 1) is not valid YAML') }));
    expect(() => merge(stream(1, 'a'), '--- just a string\n')).toThrow(expect.objectContaining({ code: 'E_REPODATA_INVALID', message: expect.stringContaining('repo2/modules.yaml (document 1) is not a module metadata document') }));
    expect(() => merge('---\ndocument: modulemd\nversion: 2\ndata:\n  stream: x\n...\n', stream(1, 'a'))).toThrow(expect.objectContaining({ code: 'E_REPODATA_INVALID', message: expect.stringContaining('has no "name"') }));
  });
});
