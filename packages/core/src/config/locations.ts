import { isAbsolute, resolve } from 'node:path';

/**
 * Where repo sources and publish destinations point. A value with a `scheme://` is a URL; anything else is a
 * path, resolved relative to the configuration file's directory.
 */

/** URL schemes a repo source may use (see `mirror sync --from`). */
export const SOURCE_SCHEMES = ['http', 'https', 'file'] as const;

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

export function urlScheme(value: string): string | undefined {
  return SCHEME.exec(value)?.[1]?.toLowerCase();
}

/** Why `value` cannot be a repo source, or undefined when it can. */
export function sourceProblem(value: string): string | undefined {
  const scheme = urlScheme(value);
  if (scheme === undefined || (SOURCE_SCHEMES as readonly string[]).includes(scheme)) return undefined;
  return `unsupported URL scheme "${scheme}://" in ${JSON.stringify(value)}: a source is an ${SOURCE_SCHEMES.map((s) => `${s}://`).join(', ')} URL or a path`;
}

/** Why `value` cannot be the base URL the store is served at, or undefined when it can. */
export function baseUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `must be an absolute URL such as https://repos.example.org/ci, got ${JSON.stringify(value)}`;
  }
  if (!['http:', 'https:', 'file:'].includes(url.protocol)) {
    return `must be an http://, https:// or file:// URL, got ${JSON.stringify(value)}`;
  }
  return undefined;
}

/** A base URL without its trailing slashes, so `${baseUrl}/yum/<repo>` is always well formed. */
export function normalizeBaseUrl(value: string): string {
  return value.replace(/\/+$/, '');
}

/** A source or the store: URLs as they are, paths made absolute against `dir`. */
export function resolveLocation(dir: string, value: string): string {
  return urlScheme(value) === undefined ? resolve(dir, value) : value;
}

/**
 * A sync-target destination: URLs (`rsync://`, `ssh://`, `file://`, a plugin's scheme) and rsync's
 * `host:path` form as they are; plain paths made absolute against `dir`.
 */
export function resolveDestination(dir: string, value: string): string {
  if (urlScheme(value) !== undefined) return value;
  if (!isAbsolute(value) && /^[^/]*:/.test(value)) return value; // host:path (rsync over ssh)
  return resolve(dir, value);
}
