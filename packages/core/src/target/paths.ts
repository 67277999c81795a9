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
