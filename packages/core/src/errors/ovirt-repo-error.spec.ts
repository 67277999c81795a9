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
    expect(e.message).toBe('open failed for /nope: ENOENT: no such file');
    expect(e.cause).toBe(sys);
  });
});
