import { baseurlProblem, lineProblem, repoIdProblem } from './values.js';

describe('what may be written into a yum config', () => {
  it.each([
    'http://s/yum/r-el8/2024-05-01T10:00:00Z/',
    'https://s/a%20b;c=d?x=1&y=2#frag',
    'ftp://mirror.example.org/pub/r/',
    'file:///srv/store/yum/r-el8/1',
    '/srv/store/yum/r-el8/1',
    'snap/1',
    'http://s/$releasever/$basearch/',
    'http://[::1]:8080/r/',
  ])('takes %j as a baseurl', (url) => expect(baseurlProblem(url)).toBeUndefined());

  it.each([
    ['', 'is empty'],
    ['http://s/r\nx', 'contains a line feed (LF) at character 11'],
    ['http://s/r\tx', 'contains a tab at character 11'],
    ['http://s/r\u007fx', 'contains the control character U+007F at character 11'],
    ['http://s/r\u0085x', 'contains the control character U+0085 at character 11'],
    ['http://s/r\u00a0x', 'contains the white space U+00A0 at character 11, where dnf would split it into several URLs (write it percent-encoded: %C2%A0)'],
    ['mailto:x@y', 'has the scheme "mailto:", which dnf does not read (http, https, ftp, file or a path)'],
  ])('refuses %j as a baseurl', (url, problem) => expect(baseurlProblem(url)).toBe(problem));

  it('takes dnf repo ids only as ids of new sections', () => {
    expect(repoIdProblem('ovirt-master_el8.x:1')).toBeUndefined();
    expect(repoIdProblem('r\u00e9po')).toBe('contains the character U+00E9 at character 2 (dnf repo ids are letters, digits and - _ . : only)');
    expect(repoIdProblem('')).toBe('is empty');
  });

  it('takes any one line as a name to look up', () => {
    expect(lineProblem('odd name+with]brackets[')).toBeUndefined();
    expect(lineProblem('a\u2029b')).toBe('contains a Unicode paragraph separator (U+2029) at character 2');
  });
});
