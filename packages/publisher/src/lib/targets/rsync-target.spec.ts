import { ErrorCodes, TargetRegistry } from '@ovirt-repo/core';
import { registerBuiltinTargets } from './builtin.js';
import { parseListLine, type RsyncTarget } from './rsync-target.js';

describe('RsyncTarget location parsing and command construction', () => {
  const registry = new TargetRegistry();
  registerBuiltinTargets(registry);
  const open = async (raw: string, settings?: Record<string, string>) => (await registry.open(raw, { settings, env: {} })) as RsyncTarget;

  it('daemon URLs anchor at the module', async () => {
    const t = await open('rsync://deploy@mirror.example.org:8873/ovirt/latest.tested/el9');
    expect(t.scheme).toBe('rsync');
    expect(t.endpoint).toMatchObject({ kind: 'daemon', anchor: 'rsync://deploy@mirror.example.org:8873/ovirt/', base: 'latest.tested/el9' });
    expect(t.remote('repodata/repomd.xml', false)).toBe('rsync://deploy@mirror.example.org:8873/ovirt/latest.tested/el9/repodata/repomd.xml');
    expect(t.commonArgs()).toEqual(['--no-human-readable', '--8-bit-output', '--timeout=300', '--contimeout=30']);
  });

  it('ssh:// URLs pass the port to ssh and keep absolute or home-relative paths', async () => {
    const t = await open('ssh://deploy@web.example.org:2222/var/www/latest.tested');
    expect(t.endpoint).toMatchObject({ kind: 'ssh', anchor: 'deploy@web.example.org:/', base: 'var/www/latest.tested', rsh: 'ssh -o BatchMode=yes -p 2222' });
    expect(t.commonArgs()).toEqual(['--no-human-readable', '--8-bit-output', '--timeout=300', '--protect-args', '-e', 'ssh -o BatchMode=yes -p 2222']);
    const home = await open('ssh://web/~/pub/repo');
    expect(home.endpoint).toMatchObject({ anchor: 'web:', base: 'pub/repo' });
  });

  it('the scp-like host:path form is ssh', async () => {
    const abs = await open('deploy@web:/srv/repo', { rsh: 'ssh -i /keys/id', timeout: '60' });
    expect(abs.scheme).toBe('ssh');
    expect(abs.endpoint).toMatchObject({ anchor: 'deploy@web:/', base: 'srv/repo', rsh: 'ssh -i /keys/id' });
    expect(abs.commonArgs()).toContain('--timeout=60');
    const rel = await open('web:pub');
    expect(rel.endpoint).toMatchObject({ anchor: 'web:', base: 'pub' });
    expect(rel.remote('', true)).toBe('web:pub/');
    expect(rel.remote('a/b', true)).toBe('web:pub/a/b/');
    const home = await open('web:');
    expect(home.remote('', true)).toBe('web:./');
    expect(home.remote('x.rpm', false)).toBe('web:x.rpm');
  });

  it('refuses passwords in URLs, missing modules and unknown settings', async () => {
    await expect(open('rsync://u:pw@h/m')).rejects.toMatchObject({ code: ErrorCodes.USAGE, message: expect.not.stringContaining('pw@') });
    await expect(open('rsync://h/')).rejects.toMatchObject({ code: ErrorCodes.USAGE, message: expect.stringContaining('no rsync module') });
    await expect(open('rsync://h/m', { compress: 'yes' })).rejects.toMatchObject({ code: ErrorCodes.USAGE, hint: expect.stringContaining('rsh') });
    await expect(open('rsync://h/m', { timeout: 'soon' })).resolves.toBeDefined();
  });

  it('parses rsync --list-only lines, including escaped names', () => {
    expect(parseListLine('-rw-r--r--          1234 2024/01/02 03:04:05 a/b c.rpm')).toMatchObject({ name: 'a/b c.rpm', type: 'file', size: 1234 });
    expect(parseListLine('drwxr-xr-x          4096 2024/01/02 03:04:05 .')).toMatchObject({ name: '.', type: 'directory' });
    expect(parseListLine('-rw-r--r--             1 2024/01/02 03:04:05 tab\\#011name')).toMatchObject({ name: 'tab\tname' });
    expect(parseListLine('lrwxrwxrwx             3 2024/01/02 03:04:05 l -> x')).toBeUndefined();
    expect(parseListLine('receiving incremental file list')).toBeUndefined();
  });
});
