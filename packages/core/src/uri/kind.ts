/** How a URI is read: over HTTP(S), from a local file (file:// or a plain path), or decoded from a data: URL. */
export type UriKind = 'http' | 'file' | 'data' | 'path';

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

/** The URI's scheme in lower case, or undefined for a plain path. */
export function uriScheme(uri: string): string | undefined {
  return SCHEME.exec(uri)?.[1]?.toLowerCase();
}

/**
 * Classify `uri`; undefined for a scheme nothing here can read (ftp:, rsync:...), so callers can name the
 * supported ones in their error.
 */
export function uriKind(uri: string): UriKind | undefined {
  const scheme = uriScheme(uri);
  if (scheme === undefined) return 'path';
  if (scheme === 'http' || scheme === 'https') return 'http';
  if (scheme === 'file') return 'file';
  if (scheme === 'data') return 'data';
  return undefined;
}

/** The schemes readUri accepts, for error hints. */
export const READABLE_SCHEMES = ['http', 'https', 'file', 'data'] as const;

/**
 * `uri` shortened for messages: data: URLs can carry a whole document, which would drown the actual
 * error, so only their start is shown.
 */
export function displayUri(uri: string, max = 80): string {
  if (uriKind(uri) !== 'data' || uri.length <= max) return uri;
  return `${uri.slice(0, max)}… (${uri.length} characters)`;
}
