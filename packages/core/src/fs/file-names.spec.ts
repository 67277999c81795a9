import { fileURLToPath } from 'node:url';
import { assertSafeHref, hrefUrl, packageFileNameOf, unsafeHrefReason } from '../repodata/safe-href.js';
import { assertSafeFileName, fileNameProblem, printable } from './file-names.js';

// Names dnf installs from (createrepo_c lists them as they are; librepo percent-encodes each segment).
const DNF_NAMES = [
  'foo-1.0-1.noarch.rpm',
  'configtest-%{ver}-1.noarch.rpm',
  'with space-1.0-1.noarch.rpm',
  'ünïcødé-1.0-1.noarch.rpm',
  'a:b=c,d@e-1.0-1.noarch.rpm',
  'plus+tilde~caret^-1.0-1.noarch.rpm',
  'what?frag#ment-1.0-1.noarch.rpm',
  'pct%41%20x-1.0-1.noarch.rpm',
  'http:x-1.0-1.noarch.rpm',
  `${'x'.repeat(251)}.rpm`,
  `${'é'.repeat(125)}x.rpm`,
];

describe('the one rule for file names', () => {
  it.each(DNF_NAMES)('accepts %j, as dnf does', (name) => {
    expect(fileNameProblem(name, '.rpm')).toBeUndefined();
    expect(assertSafeFileName(name, 'test', { ending: '.rpm' })).toBe(name);
    expect(packageFileNameOf(`Packages/x/${name}`, 'test')).toBe(name);
  });

  it.each([
    ['', 'empty'],
    ['.', '"." or ".."'],
    ['..', '"." or ".."'],
    ['a/b.rpm', 'slash'],
    ['a\\b.rpm', 'backslash'],
    ['a\0b.rpm', 'control characters'],
    ['a\nb.rpm', 'control characters'],
    ['a\rb.rpm', 'control characters'],
    ['a\x7fb.rpm', 'control characters'],
    ['%2e%2e.rpm', 'percent-encoded'],
    ['a%2Fb.rpm', 'percent-encoded'],
    ['a%5cb.rpm', 'percent-encoded'],
    ['.hidden.rpm', 'starts with a dot'],
    [`${'x'.repeat(252)}.rpm`, 'longer than 255 bytes'],
    [`${'é'.repeat(126)}x.rpm`, 'longer than 255 bytes'],
    ['foo.txt', 'does not end in .rpm'],
  ])('refuses %j (%s)', (name, why) => {
    expect(fileNameProblem(name, '.rpm')).toContain(why);
    expect(() => assertSafeFileName(name, 'primary.xml', { ending: '.rpm' })).toThrow(
      expect.objectContaining({ code: 'E_UNSAFE_PATH', target: 'primary.xml', message: expect.stringContaining(printable(name)), hint: expect.any(String) }),
    );
  });

  it('takes the hint of the step that applies it', () => {
    expect(() => packageFileNameOf('.x.rpm', '/build/.x.rpm', 'rename the file')).toThrow(expect.objectContaining({ hint: 'rename the file' }));
  });
});

describe('hrefs', () => {
  it.each(['Packages/a/foo-1.0-1.noarch.rpm', 'foo.rpm', 'pool/ab/abcd/foo+bar^1~2.rpm', 'x/foo%2b1.rpm', 'a/b.rpm?x', 'a#b/c.rpm', 'C:/x.rpm', 'file:/etc/x.rpm'])(
    'accepts %j: a relative path, as dnf reads it',
    (h) => expect(unsafeHrefReason(h)).toBeUndefined(),
  );

  it.each([
    '../foo.rpm', 'a/../../foo.rpm', '/etc/passwd', 'a\\..\\b.rpm', 'a\0.rpm', 'file:///etc/passwd', 'http://x/y.rpm',
    '%2e%2e/foo.rpm', 'a/%2E%2E/b.rpm', 'a//b.rpm', 'a/%2fb.rpm', '', './x/foo.rpm', 'a/\nb.rpm', `${'x/'.repeat(2048)}y.rpm`,
  ])('refuses %j', (h) => {
    expect(unsafeHrefReason(h)).toBeDefined();
    expect(() => assertSafeHref(h, 'primary.xml')).toThrow(expect.objectContaining({ code: 'E_UNSAFE_PATH', target: 'primary.xml' }));
  });

  it('become URLs with each segment percent-encoded, never decoded or resolved', () => {
    const http = hrefUrl('http://h.example/repo/', 'Packages/configtest-%{ver} ?#:.rpm', 'test');
    expect(http.href).toBe('http://h.example/repo/Packages/configtest-%25%7Bver%7D%20%3F%23%3A.rpm');
    expect(hrefUrl(new URL('http://h.example/repo'), 'pct%41.rpm', 'test').href).toBe('http://h.example/repo/pct%2541.rpm');
    expect(hrefUrl('http://h.example/r/', 'file:/etc/x.rpm', 'test').href).toBe('http://h.example/r/file%3A/etc/x.rpm');
    const file = hrefUrl('file:///srv/repo/', 'a b/pct%41 ü?#.rpm', 'test');
    expect(fileURLToPath(file)).toBe('/srv/repo/a b/pct%41 ü?#.rpm');
    expect(() => hrefUrl('http://h.example/', '../x.rpm', 'primary.xml')).toThrow(expect.objectContaining({ code: 'E_UNSAFE_PATH' }));
  });
});
