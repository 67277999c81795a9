import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { assertSafeFileName, printable, unsafeCharactersReason } from '../fs/file-names.js';

/**
 * Why a repo-relative href is unsafe to join to a local directory or base URL, or undefined when it is
 * safe. An href is a path, not a URL: dnf (librepo) percent-encodes each segment when it asks a server, and
 * so does hrefUrl. Rejects absolute paths and URLs, `..` and `.` segments, empty segments, and what no file
 * name may hold (backslashes, control characters, percent-encoded dots and slashes: fileNameProblem).
 * `?`, `#`, `%`, `:` and spaces are plain characters of a file name here, as for dnf.
 */
export function unsafeHrefReason(href: string): string | undefined {
  if (typeof href !== 'string' || href === '') return 'it is empty';
  if (href.length > MAX_HREF_LENGTH) return `it is longer than ${MAX_HREF_LENGTH} characters`;
  if (href.startsWith('/')) return 'it is an absolute path';
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(href)) return 'it is an absolute URL';
  const chars = unsafeCharactersReason(href);
  if (chars) return chars;
  for (const segment of href.split('/')) {
    if (segment === '..') return 'it contains a ".." segment';
    if (segment === '.') return 'it contains a "." segment';
    if (segment === '') return 'it contains an empty path segment';
  }
  return undefined;
}

const MAX_HREF_LENGTH = 4096;

const HREF_HINT = 'package and metadata hrefs must be relative paths below the repo; fix the source metadata (createrepo_c writes safe ones)';

/** The segments of a safe href, or an E_UNSAFE_PATH error naming `where` it comes from. */
export function assertSafeHref(href: string, where: string, hint = HREF_HINT): string[] {
  const problem = unsafeHrefReason(href);
  if (problem) {
    throw new OvirtRepoError(ErrorCodes.UNSAFE_PATH, `refusing href "${printable(String(href))}" in ${where}: ${problem}`, { target: where, hint });
  }
  return href.split('/');
}

/** The file name of a package href: the href safe and its last segment a safe `*.rpm` file name. */
export function packageFileNameOf(href: string, where: string, hint?: string): string {
  const segments = assertSafeHref(href, where, hint);
  return assertSafeFileName(segments.at(-1) ?? '', where, { ending: '.rpm', ...(hint ? { hint } : {}) });
}

/**
 * The URL of a safe href below `base` (a directory URL ending in `/`): each segment percent-encoded, as dnf
 * asks for it, so "%", "?", "#" or spaces in a file name reach the server, or file:// paths, as they are.
 */
export function hrefUrl(base: URL | string, href: string, where: string): URL {
  const segments = assertSafeHref(href, where);
  const u = new URL(typeof base === 'string' ? base : base.href);
  const dir = u.pathname.endsWith('/') ? u.pathname : `${u.pathname}/`;
  u.pathname = dir + segments.map((s) => encodeURIComponent(s)).join('/');
  return u;
}

/**
 * Throws E_UNSAFE_PATH unless `href` is a safe relative path below `repodata/`; dnf refuses metadata
 * elsewhere, and following such an href could read or overwrite files outside the repository.
 */
export function assertMetadataHref(href: string, recordType: string, source: string): void {
  const reason = unsafeHrefReason(href) ?? (href.startsWith('repodata/') ? undefined : 'it is not below repodata/');
  if (reason) {
    throw new OvirtRepoError(
      ErrorCodes.UNSAFE_PATH,
      `${source}: the "${recordType}" record's location href "${href}" is unsafe: ${reason}`,
      {
        target: source,
        hint: 'metadata files must lie below repodata/ (dnf refuses others); regenerate the repository metadata',
        data: { recordType, href },
      },
    );
  }
}
