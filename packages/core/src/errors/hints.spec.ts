import { ErrorCodes, type ErrorCode } from './codes.js';
import { withHint } from './hints.js';
import { OvirtRepoError } from './ovirt-repo-error.js';

describe('withHint', () => {
  it('keeps an error\'s own hint', () => {
    const own = new OvirtRepoError(ErrorCodes.FETCH, 'GET x failed', { hint: 'Fix x' });
    expect(withHint(own)).toBe(own);
  });

  it.each(Object.values(ErrorCodes) as ErrorCode[])('gives %s a hint of its code when it has none, keeping message, target and data', (code) => {
    const bare = new OvirtRepoError(code, 'what went wrong', { target: '/where', data: { n: 1 } });
    const shown = withHint(bare);
    expect(shown).toMatchObject({ code, message: 'what went wrong', target: '/where', data: { n: 1 } });
    expect(shown.hint).toMatch(/^[A-Z].{20,}/);
    expect(shown.describe()).toMatch(/\nHint: /);
  });
});
