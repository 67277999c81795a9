/**
 * How a destination string names its target kind. Three spellings, as rsync and scp users expect:
 * - a URL `scheme://...` (file:///srv/repo, rsync://host/module/dir, ssh://user@host:22/srv/repo);
 * - the scp-like `[user@]host:path` form (no `//` after the colon): scheme `ssh`, unless the part before the
 *   colon is itself a registered scheme (`file:/srv/repo`);
 * - anything else is a local path: scheme `file`.
 * The colon rule is rsync's: a colon before the first slash makes it remote, so `./a:b` and `/x/y:z` are
 * paths.
 */
export interface TargetLocation {
  /** The string as the user gave it. */
  raw: string;
  /** Registry key, lower-case. */
  scheme: string;
  form: 'url' | 'scp' | 'path';
  /** form 'url': the parsed URL. */
  url?: URL;
  /** form 'scp': user and host; form 'scp' and 'path': the path part. */
  user?: string;
  host?: string;
  path?: string;
}

const URL_FORM = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;
const SCHEME_ONLY = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
const SCP_FORM = /^(?:([^@/:\s]+)@)?(\[[^\]/]+\]|[^@/:\s]+):(.*)$/s;

/** The scheme key used for scp-like `host:path` destinations. */
export const SCP_SCHEME = 'ssh';
/** The scheme key used for plain local paths. */
export const PATH_SCHEME = 'file';

/**
 * Classify `raw`. `isScheme` tells whether a bare `word:` prefix is a registered scheme (so `file:/x` is a
 * URL, not host "file").
 */
export function parseTargetLocation(raw: string, isScheme: (scheme: string) => boolean = () => false): TargetLocation {
  const urlScheme = URL_FORM.exec(raw)?.[1]?.toLowerCase();
  if (urlScheme) return { raw, scheme: urlScheme, form: 'url', url: safeUrl(raw) };
  const bare = SCHEME_ONLY.exec(raw)?.[1]?.toLowerCase();
  if (bare && isScheme(bare)) return { raw, scheme: bare, form: 'url', url: safeUrl(raw) };
  const scp = SCP_FORM.exec(raw);
  if (scp) return { raw, scheme: SCP_SCHEME, form: 'scp', user: scp[1], host: (scp[2] ?? '').replace(/^\[(.*)\]$/, '$1'), path: scp[3] };
  return { raw, scheme: PATH_SCHEME, form: 'path', path: raw };
}

function safeUrl(raw: string): URL | undefined {
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}

/** `raw` with any URL password replaced by `***`, for messages and results. */
export function redactLocation(raw: string): string {
  const m = URL_FORM.exec(raw);
  if (!m) return raw;
  const u = safeUrl(raw);
  if (!u || !u.password) return raw;
  u.password = '***';
  return u.toString();
}
