import { REPOSYNC_CONFIG } from '@ovirt-repo/test-support';
import { findOption, optionBoolean, parseIni } from './parse.js';
import { IniEdits } from './render.js';

describe('parseIni', () => {
  it('reads sections, options and multi-line values of a real reposync config', () => {
    const doc = parseIni(REPOSYNC_CONFIG, 'reposync-config.repo');
    expect(doc.sections.map((s) => s.name)).toEqual([
      'main',
      'ovirt-master-tested-el7',
      'sac-gluster-ansible-el7',
      'centos-base-el7',
      'epel-el7',
      'fedora-updates-fc30',
    ]);
    const base = doc.sections[3]!;
    // The comment inside the value is skipped, as RawConfigParser skips it; the value goes on after it.
    expect(findOption(base, 'includepkgs')).toMatchObject({
      value: 'NetworkManager-config-server\ndevice-mapper\ndevice-mapper-libs',
      line: 37,
      end: 40,
    });
    expect(findOption(base, 'MIRRORLIST')?.value).toBe('http://mirrorlist.centos.org/?release=7&arch=$basearch&repo=os');
    expect(optionBoolean(doc, doc.sections[1]!, 'ost_skip_injection')).toBe(true);
    expect(optionBoolean(doc, base, 'ost_skip_injection')).toBeUndefined();
    expect(doc.eol).toBe('\n');
  });

  it('renders an unedited document back byte for byte', () => {
    for (const text of [REPOSYNC_CONFIG, REPOSYNC_CONFIG.replace(/\n/g, '\r\n'), '\uFEFF[a]\nb=c', '', '\n\n# only comments\n']) {
      expect(new IniEdits(parseIni(text, 'x')).render()).toBe(text);
    }
  });

  it('splits at the first = or :, and takes a deeper-indented line after a blank one as a continuation', () => {
    const doc = parseIni('[s]\nurl = http://h:80/x=y\nkey: a=b\nexclude = a\n\n  b\n', 'x');
    const [url, key, exclude] = doc.sections[0]!.options;
    expect(url).toMatchObject({ key: 'url', value: 'http://h:80/x=y' });
    expect(key).toMatchObject({ key: 'key', value: 'a=b' });
    expect(exclude).toMatchObject({ value: 'a\nb', line: 3, end: 5 });
  });

  it('treats an indented line right after a header as an option, not a continuation', () => {
    expect(parseIni('[s]\n  a = 1\n  b = 2\n', 'x').sections[0]!.options.map((o) => o.key)).toEqual(['a', 'b']);
  });

  it.each([
    ['baseurl = x\n[s]\n', 'c.repo:1: option "baseurl" appears before any [section] header', 'baseurl', 1],
    ['[s]\na = 1\njust words\n', 'c.repo:3: cannot parse "just words"', undefined, 3],
    ['[s]\n= value\n', 'c.repo:2: cannot parse "= value"', undefined, 2],
    ['[s]\na = 1\n\n[t]\n[s]\n', 'c.repo:5: section [s] appears twice (first on line 1)', 's', 5],
    ['[s]\nBaseurl = 1\nbaseurl = 2\n', 'c.repo:3: option "baseurl" appears twice in section [s] (first on line 2)', 'baseurl', 3],
  ])('refuses %j with an error naming the file, line and key', (text, message, key, line) => {
    expect(() => parseIni(text, 'c.repo')).toThrow(
      expect.objectContaining({ code: 'E_CONFIG_INVALID', message: expect.stringContaining(message), data: { file: 'c.repo', line, key } }),
    );
  });

  // Python reads a lone CR as a line break, dnf keeps it inside the line: the two would read different
  // sections and options, and an injection could not know which one the user meant.
  it.each([
    ['[main]\rgpgcheck=1\r[a]\rbaseurl=http://x/a\r', 1],
    ['[a]\r\nbaseurl=http://x/a\rgpgcheck=0\r\n', 2],
    ['[a]\nbaseurl=http://x/a\n# note\r\r\n', 3],
  ])('refuses a carriage return that is not part of a CRLF line ending: %j', (text, line) => {
    expect(() => parseIni(text, 'c.repo')).toThrow(
      expect.objectContaining({
        code: 'E_CONFIG_INVALID',
        message: `c.repo:${line}: a carriage return (CR) without a line feed: Python's configparser ends the line there, dnf does not`,
        data: { file: 'c.repo', line },
      }),
    );
  });
});

describe('IniEdits', () => {
  const doc = () => parseIni('[main]\ngpgcheck = 1\n[a]\nbaseurl = http://x/a\n[b]\n', 'c.repo');

  it.each([
    ['a value with a line feed', (e: IniEdits, d: ReturnType<typeof doc>) => e.setValue(findOption(d.sections[1]!, 'baseurl')!, 'http://y\ngpgcheck=0'), 'c.repo:4: cannot write "baseurl": the value contains a line feed (LF) at character 9'],
    ['an appended value with a CR', (e: IniEdits, d: ReturnType<typeof doc>) => e.append(d.sections[2]!, 'proxy', 'None\rsslverify=0'), 'c.repo: cannot write "proxy" in [b]: the value contains a carriage return (CR) at character 5'],
    ['a section id with "]"', (e: IniEdits, d: ReturnType<typeof doc>) => e.insertSectionBefore(d.sections[1]!, 'x]y', [['baseurl', 'http://z']]), 'c.repo: cannot write section [x]y]: the repo id contains a "]" at character 2 (dnf repo ids are letters, digits and - _ . : only)'],
    ['an inserted value with a NUL', (e: IniEdits, d: ReturnType<typeof doc>) => e.insertSectionBefore(d.sections[1]!, 'x', [['baseurl', 'http://z\u0000']]), 'c.repo: cannot write "baseurl" in [x]: the value contains a NUL character at character 9'],
  ])('refuses to write %s', (_what, edit, message) => {
    const d = doc();
    expect(() => edit(new IniEdits(d), d)).toThrow(expect.objectContaining({ code: 'E_CONFIG_INVALID', message }));
  });

  it("gives a section without options the file's key=value style", () => {
    const d = parseIni('[main]\ngpgcheck=0\n[a]\n[b]\n', 'c.repo');
    const edits = new IniEdits(d);
    for (const s of d.sections.slice(1)) edits.append(s, 'baseurl', `http://s/${s.name}`);
    expect(edits.render()).toBe('[main]\ngpgcheck=0\n[a]\nbaseurl=http://s/a\n[b]\nbaseurl=http://s/b\n');
  });
});
