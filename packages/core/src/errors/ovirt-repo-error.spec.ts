import { OvirtRepoError, ioError, ErrorCodes } from './index.js';

describe('OvirtRepoError', () => {
  it('describes what, where and how to fix', () => {
    const e = new OvirtRepoError(ErrorCodes.RPM_INVALID, 'bad lead magic', { target: '/x/a.rpm', hint: 'rebuild it' });
    expect(e.describe()).toBe('bad lead magic (/x/a.rpm)\nHint: rebuild it');
    expect(e.toJSON()).toMatchObject({ code: 'E_RPM_INVALID', target: '/x/a.rpm' });
  });

  it('wraps system errors with the operation and target', () => {
    const sys = Object.assign(new Error('no such file'), { code: 'ENOENT' });
    const e = ioError('open', '/nope', sys);
    expect(e.code).toBe('E_IO');
    expect(e.message).toBe('open failed for /nope: no such file or directory (ENOENT)');
    expect(e.hint).toMatch(/check the path/);
    expect(e.data).toEqual({ errno: 'ENOENT' });
    expect(e.cause).toBe(sys);
  });

  it('says a system error once, in words, with a hint, also for codes it has no words for', () => {
    const full = Object.assign(new Error("ENOSPC: no space left on device, write '/srv/store/pool/x'"), { code: 'ENOSPC' });
    expect(ioError('write', '/srv/store/pool/x', full)).toMatchObject({ message: 'write failed for /srv/store/pool/x: no space left on the device (ENOSPC)', hint: expect.stringContaining('gc') });
    const odd = Object.assign(new Error("ELOOP: too many symbolic links encountered, open '/a/b'"), { code: 'ELOOP' });
    const e = ioError('open', '/a/b', odd);
    expect(e.message).toBe('open failed for /a/b: too many symbolic links encountered (ELOOP)');
    expect(e.hint).toMatch(/permissions and the free space/);
    expect(ioError('read', '/x', new Error('boom')).message).toBe('read failed for /x: boom');
  });
});
