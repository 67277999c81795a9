import { ErrorCodes, OvirtRepoError } from '../errors/index.js';

/**
 * Why a repo-relative href is unsafe to join to a local directory or base URL, or undefined when it is
 * safe. Rejects absolute paths and URLs, `..` and `.` segments, empty segments, backslashes, query or
 * fragment parts, percent-encoded dots and slashes (which URL resolvers decode back into `..` or `/`)
 * and control characters.
 */
export function unsafeHrefReason(href: string): string | undefined {
  if (href === '') return 'it is empty';
  if (href.startsWith('/')) return 'it is an absolute path';
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(href)) return 'it is an absolute URL';
  if (href.includes('\\')) return 'it contains a backslash';
  if (/[?#]/.test(href)) return 'it contains a query or fragment';
  if (/%(2e|2f|5c)/i.test(href)) return 'it contains a percent-encoded dot or slash';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is being rejected
  if (/[\u0000-\u001f\u007f]/.test(href)) return 'it contains control characters';
  for (const segment of href.split('/')) {
    if (segment === '..') return 'it contains a ".." segment';
    if (segment === '.') return 'it contains a "." segment';
    if (segment === '') return 'it contains an empty path segment';
  }
  return undefined;
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
