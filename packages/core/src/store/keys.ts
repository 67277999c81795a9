import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { fileNameProblem, printable } from '../fs/file-names.js';

/**
 * `key` if it is a valid store key, else E_UNSAFE_PATH naming it and `operation`. A key is `''` (the root)
 * or segments joined by '/', each a name core's file-name rule accepts: not empty, `.` or `..`, no
 * backslash or control character, no leading dot (names a store keeps out of sight: temp files), at most
 * 255 bytes. So no key can name anything outside the store, and keys never collide with temp names.
 */
export function storeKey(key: string, operation: string): string {
  if (typeof key !== 'string') throw unsafeKey(String(key), operation, 'it is not a string');
  if (key === '') return key;
  for (const segment of key.split('/')) {
    const problem = fileNameProblem(segment);
    if (problem) throw unsafeKey(key, operation, `segment "${printable(segment)}": ${problem.replace(/^it /, '')}`);
  }
  return key;
}

/** Join key parts (`''` parts are skipped) into one key; each part must be a valid key itself. */
export function joinKey(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/');
}

/** The prefix a key is directly below (`''` for a top-level key). */
export function parentKey(key: string): string {
  const i = key.lastIndexOf('/');
  return i < 0 ? '' : key.slice(0, i);
}

/** The last segment of a key. */
export function baseKey(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

function unsafeKey(key: string, operation: string, why: string): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.UNSAFE_PATH, `${operation}: refusing store key "${printable(key)}": ${why}`, {
    target: key,
    hint: 'store keys are relative paths below the store root: no leading "/", no "." or ".." segments, no names starting with a dot',
  });
}
