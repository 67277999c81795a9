import { parseTargetLocation, redactLocation } from './location.js';

describe('parseTargetLocation', () => {
  const known = (s: string) => ['file', 'rsync', 'ssh'].includes(s);

  it.each([
    ['/srv/repo', 'file', 'path'],
    ['relative/dir', 'file', 'path'],
    ['./a:b', 'file', 'path'],
    ['/x/y:z', 'file', 'path'],
    ['file:///srv/repo', 'file', 'url'],
    ['file:/srv/repo', 'file', 'url'],
    ['rsync://host:873/module/dir', 'rsync', 'url'],
    ['ssh://user@host:2222/srv/repo', 'ssh', 'url'],
    ['S3://bucket/key', 's3', 'url'],
    ['host:/srv/repo', 'ssh', 'scp'],
    ['user@host.example.org:repo', 'ssh', 'scp'],
  ])('%s is scheme %s (%s form)', (raw, scheme, form) => {
    const l = parseTargetLocation(raw, known);
    expect(l.scheme).toBe(scheme);
    expect(l.form).toBe(form);
  });

  it('splits the scp form', () => {
    expect(parseTargetLocation('deploy@[::1]:/srv/x', known)).toMatchObject({ user: 'deploy', host: '::1', path: '/srv/x' });
    expect(parseTargetLocation('host:', known)).toMatchObject({ host: 'host', path: '' });
  });

  it('redacts URL passwords only', () => {
    expect(redactLocation('rsync://u:secret@h/m')).toBe('rsync://u:***@h/m');
    expect(redactLocation('/srv/repo')).toBe('/srv/repo');
  });
});
