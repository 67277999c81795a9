import { ErrorCodes } from '../errors/index.js';
import { isUnderTargetPath, joinTargetPath, normalizeTargetPath, targetBasename, targetDirname, resolveLinkTarget } from './paths.js';

describe('target paths', () => {
  it('normalises separators and dot segments', () => {
    expect(normalizeTargetPath('a//b/./c/')).toBe('a/b/c');
    expect(normalizeTargetPath('')).toBe('');
    expect(normalizeTargetPath('.')).toBe('');
    expect(joinTargetPath('repodata', '', 'repomd.xml')).toBe('repodata/repomd.xml');
  });

  it.each([['../x'], ['a/../../x'], ['a/..'], ['/etc/passwd'], ['a\\b'], ['a\0b']])('refuses %j', (p) => {
    expect(() => normalizeTargetPath(p)).toThrow(expect.objectContaining({ code: ErrorCodes.UNSAFE_PATH }));
  });

  it('splits and compares paths', () => {
    expect(targetDirname('a/b/c.rpm')).toBe('a/b');
    expect(targetDirname('c.rpm')).toBe('');
    expect(targetBasename('a/b/c.rpm')).toBe('c.rpm');
    expect(isUnderTargetPath('packages/ab/x.rpm', 'packages')).toBe(true);
    expect(isUnderTargetPath('packages2/x.rpm', 'packages')).toBe(false);
    expect(isUnderTargetPath('anything', '')).toBe(true);
  });
});

describe('resolveLinkTarget', () => {
  it('resolves a relative link from its own directory, and refuses one that leaves the target', () => {
    expect(resolveLinkTarget('repodata/repomd.xml', '../.ovirt-repo/repomd/live/repomd.xml')).toBe('.ovirt-repo/repomd/live/repomd.xml');
    expect(resolveLinkTarget('.ovirt-repo/repomd/live', 'abc')).toBe('.ovirt-repo/repomd/abc');
    expect(() => resolveLinkTarget('repodata/repomd.xml', '../../etc/passwd')).toThrow(/leads outside the target/);
    expect(() => resolveLinkTarget('top', '../x')).toThrow(/leads outside the target/);
    expect(() => resolveLinkTarget('repodata/x', '/etc/passwd')).toThrow(/is absolute/);
  });
});
