import { ErrorCodes, OvirtRepoError } from '../errors/index.js';

/**
 * The one rule for the names of files ovirt-repo stores and serves (package files above all): as
 * permissive as dnf, which takes any name createrepo_c lists (spaces, non-ASCII, `% : = , @ + ~ ^ ? #`:
 * librepo percent-encodes each path segment when it asks a server), and as strict as path safety needs.
 * minirepo, mirror sync, snapshot verify and publish all apply it, so what one step accepts the next does.
 * Refused:
 * - empty, `.` and `..`, and anything with a `/` (one path segment);
 * - a backslash (a path separator for URL parsers and other systems);
 * - control characters (NUL ends a C string; CR/LF split log lines, configs and HTTP requests);
 * - `%2e`, `%2f`, `%5c` in any case: tools that decode hrefs as URLs would see a dot segment or a separator;
 * - a leading dot: hidden files are not served (ovirt-repo serve, common nginx rules), and ovirt-repo's own
 *   temp files start with one;
 * - more than 255 bytes of UTF-8: no Linux filesystem stores a longer name.
 */
export function fileNameProblem(name: string, ending?: string): string | undefined {
  if (typeof name !== 'string' || name === '') return 'it is empty';
  if (name === '.' || name === '..') return 'it is "." or ".."';
  if (name.includes('/')) return 'it contains a slash';
  const chars = unsafeCharactersReason(name);
  if (chars) return chars;
  if (name.startsWith('.')) return 'it starts with a dot (a hidden file, which web servers do not serve)';
  if (Buffer.byteLength(name) > MAX_FILE_NAME_BYTES) return `it is longer than ${MAX_FILE_NAME_BYTES} bytes, the longest file name a filesystem takes`;
  if (ending && !name.endsWith(ending)) return `it does not end in ${ending}`;
  return undefined;
}

/** NAME_MAX of Linux filesystems: the longest file name, in bytes of UTF-8. */
export const MAX_FILE_NAME_BYTES = 255;

/** `name`, or an E_UNSAFE_PATH error naming it and `where` it comes from. */
export function assertSafeFileName(name: string, where: string, options: { ending?: string; hint?: string } = {}): string {
  const problem = fileNameProblem(name, options.ending);
  if (problem) {
    throw new OvirtRepoError(ErrorCodes.UNSAFE_PATH, `refusing file name "${printable(String(name))}" from ${where}: ${problem}`, {
      target: where,
      hint: options.hint ?? 'fix the source metadata: file names are single path segments without control characters or a leading dot, at most 255 bytes (see docs/troubleshooting.md#e_unsafe_path)',
    });
  }
  return name;
}

/** Characters no file name and no href may hold (see fileNameProblem), or undefined. */
export function unsafeCharactersReason(text: string): string | undefined {
  if (text.includes('\\')) return 'it contains a backslash';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is being rejected
  if (/[\u0000-\u001f\u007f]/.test(text)) return 'it contains control characters';
  if (/%(2e|2f|5c)/i.test(text)) return 'it contains a percent-encoded dot or slash';
  return undefined;
}

/** Untrusted text made safe to echo in a message: control characters escaped, at most 200 characters. */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = String(s).replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return clean.length > 200 ? `${clean.slice(0, 200)}...` : clean;
}
