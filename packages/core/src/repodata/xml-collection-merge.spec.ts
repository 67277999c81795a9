import { silentLogger } from '../log/logger.js';
import { mergeComps, mergeUpdateinfo } from './xml-collection-merge.js';

const update = (id: string, title: string) =>
  `<update from="t@example.com" status="stable" type="bugfix" version="1">\n    <id>${id}</id>\n    <title>${title}</title>\n    <issued date="2026-01-01 00:00:00"/>\n  </update>`;
const updates = (...u: string[]) => `<?xml version="1.0" encoding="UTF-8"?>\n<updates>\n  ${u.join('\n  ')}\n</updates>\n`;

function run(merge: typeof mergeUpdateinfo, ...texts: string[]) {
  const warnings: string[] = [];
  const text = merge(
    texts.map((t, i) => ({ text: t, from: `repo${i + 1}`, file: `repo${i + 1}/file.xml` })),
    { ...silentLogger, warn: (m) => void warnings.push(m) },
  );
  return { text, warnings };
}

const ids = (xml: string) => [...xml.matchAll(/<id>([^<]*)<\/id>/g)].map((m) => m[1]);

describe('mergeUpdateinfo', () => {
  it('keeps every advisory once by id, in the order first seen; identical ones silently', () => {
    const { text, warnings } = run(mergeUpdateinfo, updates(update('A', 'a'), update('B', 'b')), updates(update('C', 'c'), update('A', 'a')));
    expect(ids(text)).toEqual(['A', 'B', 'C']);
    expect(warnings).toEqual([]);
    expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<updates>\n')).toBe(true);
  });

  it("warns about an advisory two repositories describe differently and keeps the later one's", () => {
    const { text, warnings } = run(mergeUpdateinfo, updates(update('A', 'first')), updates(update('A', 'revised')));
    expect(ids(text)).toEqual(['A']);
    expect(text).toContain('<title>revised</title>');
    expect(warnings).toEqual(['updateinfo: advisory A differs between repo1 and repo2; the merged metadata has the one of repo2']);
  });

  it('takes formatting (whitespace, self-closing tags, CDATA, comments) as no difference, and escapes what it writes', () => {
    const a = updates('<update><id>A</id><title>x &amp; y</title><e/><!-- note --></update>');
    const b = '<updates><update>\n<id>A</id>\n<title><![CDATA[x & y]]></title>\n<e></e>\n</update></updates>';
    const { text, warnings } = run(mergeUpdateinfo, a, b);
    expect(warnings).toEqual([]);
    expect(text).toContain('<title>x &amp; y</title>');
    expect(text).not.toContain('note');
  });

  it('is idempotent: merging a merge with one of its inputs again gives the same text', () => {
    const a = updates(update('A', 'a &lt; b'));
    const b = updates(update('B', 'b'));
    const once = run(mergeUpdateinfo, a, b).text;
    expect(run(mergeUpdateinfo, once, b).text).toBe(once);
  });

  it('refuses another root element, malformed XML and entity declarations, naming the file', () => {
    expect(() => run(mergeUpdateinfo, updates(), '<comps/>')).toThrow(expect.objectContaining({ code: 'E_REPODATA_INVALID', message: expect.stringContaining('repo2/file.xml has root element <comps>, not <updates>') }));
    expect(() => run(mergeUpdateinfo, '<updates><update>', updates())).toThrow(expect.objectContaining({ code: 'E_REPODATA_INVALID', message: expect.stringContaining('repo1/file.xml') }));
    const laughs = `<?xml version="1.0"?><!DOCTYPE updates [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><updates><update><id>&b;</id></update></updates>`;
    expect(() => run(mergeUpdateinfo, laughs, updates())).toThrow(expect.objectContaining({ code: 'E_REPODATA_INVALID' }));
  });
});

describe('mergeComps', () => {
  const comps = (...children: string[]) => `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">\n<comps>\n${children.join('\n')}\n</comps>\n`;
  const group = (id: string, name: string) => `  <group>\n    <id>${id}</id>\n    <name>${name}</name>\n    <name xml:lang="de">${name}-de</name>\n  </group>`;

  it('merges groups, categories and environments by id, keeps other elements once each, and writes the comps DOCTYPE', () => {
    const category = '  <category><id>web</id><grouplist><groupid>g1</groupid></grouplist></category>';
    const langpacks = '  <langpacks><match name="x" install="x-%s"/></langpacks>';
    const { text, warnings } = run(mergeComps, comps(group('g1', 'One'), category, langpacks), comps(group('g2', 'Two'), group('g1', 'One'), langpacks, '  <environment><id>web</id></environment>'));
    expect(warnings).toEqual([]);
    expect(ids(text)).toEqual(['g1', 'web', 'g2', 'web']);
    expect(text.match(/<langpacks>/g)).toHaveLength(1);
    expect(text).toContain('<name xml:lang="de">One-de</name>');
    expect(text).toContain('<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">\n<comps>\n');
  });

  it('warns about a group two repositories define differently, keeping the later definition', () => {
    const { text, warnings } = run(mergeComps, comps(group('g1', 'One')), comps(group('g1', 'Uno')));
    expect(text).toContain('<name>Uno</name>');
    expect(text).not.toContain('<name>One</name>');
    expect(warnings).toEqual(['group: group g1 differs between repo1 and repo2; the merged metadata has the one of repo2']);
  });
});
