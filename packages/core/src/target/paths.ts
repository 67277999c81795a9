import { ErrorCodes, OvirtRepoError } from '../errors/index.js';

/**
 * Normalise a path inside a sync target: '/'-separated, relative to the target root, no empty, `.` or `..`
 * segments, no NUL or backslash. `''` (or `.`) is the root itself. Anything that could name a file outside
 * the target (an absolute path, `..`) is refused with E_UNSAFE_PATH, so a remote href or a plugin bug can
 * never make a target write beside its root.
 */
export function normalizeTargetPath(path: string, where = 'target path'): string {
  if (typeof path !== 'string') throw unsafe(String(path), where, 'not a string');
  if (path.includes('\0')) throw unsafe(path, where, 'contains a NUL byte');
  if (path.includes('\\')) throw unsafe(path, where, 'contains a backslash');
  if (path.startsWith('/')) throw unsafe(path, where, 'is absolute');
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') throw unsafe(path, where, 'contains ".."');
    segments.push(segment);
  }
  return segments.join('/');
}

/** Join target path segments and normalise the result (see normalizeTargetPath). */
export function joinTargetPath(...parts: string[]): string {
  return normalizeTargetPath(parts.filter((p) => p !== '').join('/'));
}

/** The parent of a normalised target path (`''` for top-level names). */
export function targetDirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** The last segment of a normalised target path. */
export function targetBasename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** True when `path` is `prefix` itself or lies below it (both normalised; `''` contains everything). */
export function isUnderTargetPath(path: string, prefix: string): boolean {
  return prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
}

/**
 * Where a symbolic link at `path` pointing to `linkTarget` leads, as a normalised target path. A link
 * target must be relative and stay inside the target (`../x` from `repodata/` is fine, `../../x` is not),
 * or E_UNSAFE_PATH.
 */
export function resolveLinkTarget(path: string, linkTarget: string): string {
  const where = `link target of ${path}`;
  if (linkTarget.startsWith('/')) throw unsafe(linkTarget, where, 'is absolute');
  const segments = targetDirname(normalizeTargetPath(path)).split('/').filter((s) => s !== '');
  for (const segment of linkTarget.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment !== '..') segments.push(segment);
    else if (segments.pop() === undefined) throw unsafe(linkTarget, where, 'leads outside the target');
  }
  return normalizeTargetPath(segments.join('/'), where);
}

function unsafe(path: string, where: string, why: string): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.UNSAFE_PATH, `Refusing ${where} "${path}": it ${why}`, {
    target: path,
    hint: 'Target paths are relative to the destination root and may not leave it (no leading "/", no "..").',
  });
}

/** normalizeTargetPath for operations that must not touch the root itself (remove, rename). */
export function nonRootTargetPath(path: string, operation: string): string {
  const p = normalizeTargetPath(path);
  if (p === '') {
    throw new OvirtRepoError(ErrorCodes.UNSAFE_PATH, `Refusing to ${operation} the target root itself`, {
      hint: 'Name a file or directory inside the destination.',
    });
  }
  return p;
}
