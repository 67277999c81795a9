import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { uriKind, uriScheme } from './kind.js';

/**
 * Resolve `ref` against `base`, the URI of the document `ref` was found in, as a browser resolves links:
 * - `ref` with a scheme (http:, file:, data:...) is already absolute and returned as is;
 * - against an http(s) or file:// base, RFC 3986 resolution (`/x` is host-relative, `x` is directory-relative);
 * - against a plain path, a path relative to the base file's directory (the result stays a plain path);
 * - against a data: URL, which has no location, `ref` is returned unchanged (as Python's urljoin does).
 */
export function resolveUri(base: string, ref: string): string {
  if (ref === '') return base;
  if (uriScheme(ref) !== undefined) return ref;
  const kind = uriKind(base);
  switch (kind) {
    case 'http':
    case 'file':
      return new URL(ref, base).href;
    case 'path':
      return isAbsolute(ref) ? ref : resolvePath(dirname(resolvePath(base)), ref);
    case 'data':
    default:
      return ref;
  }
}

/** The local path a file:// URL or a plain path names (relative paths against the working directory). */
export function localPathOf(uri: string): string {
  const kind = uriKind(uri);
  if (kind === 'path') return resolvePath(uri);
  if (kind === 'file') {
    try {
      return fileURLToPath(uri);
    } catch (e) {
      throw new OvirtRepoError(ErrorCodes.USAGE, `${uri} is not a local file URL: ${(e as Error).message}`, {
        target: uri,
        hint: 'use file:///absolute/path (no host part), or a plain path',
        cause: e,
      });
    }
  }
  throw new OvirtRepoError(ErrorCodes.USAGE, `${uri} is not a local file`, { target: uri, hint: 'pass a path or a file:// URL' });
}

/** A file:// URL for a local path (relative paths against the working directory). */
export function fileUrlOf(path: string): string {
  return pathToFileURL(resolvePath(path)).href;
}
