import { ErrorCodes, OvirtRepoError, repoNameProblem, unsafeHrefReason } from '@ovirt-repo/core';

/**
 * Validation of every name that becomes part of a path in the store: repo names and snapshot ids (from the
 * user), package hrefs, file names and checksums (from remote metadata). Whatever a remote repo or a user
 * says, these checks are what keep every derived path inside the store.
 */

/** A snapshot id: UTC time to the millisecond, e.g. `20261126T102233.123Z`; sorts by time as a string. */
export const SNAPSHOT_ID = /^\d{8}T\d{6}\.\d{3}Z$/;

/** Repo names follow core's rule (shared with ovirt-repo.yaml): letters, digits, `. _ + -`, no `..`. */
export function isValidRepoName(name: string): boolean {
  return typeof name === 'string' && repoNameProblem(name) === undefined;
}

export function validateRepoName(name: string): string {
  const problem = typeof name === 'string' ? repoNameProblem(name) : 'a repo name must be a string';
  if (problem) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `invalid repo name "${printable(String(name))}": ${problem}`, {
      target: printable(String(name)),
      hint: 'repo names start with a letter or digit and use only letters, digits and . _ + - (no "..", at most 200 characters), e.g. experimental-4.5-el9',
    });
  }
  return name;
}

export function isSnapshotId(id: string): boolean {
  return typeof id === 'string' && SNAPSHOT_ID.test(id);
}

export function validateSnapshotId(id: string, repo?: string): string {
  if (!isSnapshotId(id)) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `invalid snapshot id "${printable(id)}"${repo ? ` for repo ${repo}` : ''}`, {
      target: printable(id),
      hint: `snapshot ids look like 20261126T102233.123Z; list them with: ovirt-repo snapshot list ${repo ?? 'REPO'}`,
    });
  }
  return id;
}

/** Hex digest lengths of the checksum types repodata uses; the length alone tells the type apart. */
export const DIGEST_LENGTHS: Readonly<Record<string, number>> = {
  md5: 32,
  sha: 40,
  sha1: 40,
  sha224: 56,
  sha256: 64,
  sha384: 96,
  sha512: 128,
};

/** Normalise and check a hex digest of the given checksum type; returns it in lower case. */
export function validateDigest(type: string, digest: string, where: string): string {
  const expected = DIGEST_LENGTHS[type];
  const hex = typeof digest === 'string' ? digest.trim().toLowerCase() : '';
  if (expected === undefined || hex.length !== expected || !/^[0-9a-f]+$/.test(hex)) {
    throw new OvirtRepoError(ErrorCodes.REPODATA_INVALID, `invalid ${type} checksum "${printable(String(digest))}" in ${where}`, {
      target: where,
      hint: 'the source metadata is corrupt or uses an unsupported checksum type; regenerate it with createrepo_c',
    });
  }
  return hex;
}

/**
 * Why an href is refused, or undefined when it is safe to use below a base directory or URL: core's rule
 * (absolute paths and URLs, `..`/`.`/empty segments, backslashes, `?`/`#`, percent-encoded dots and slashes,
 * control characters) plus a length limit.
 */
export function hrefProblem(href: string): string | undefined {
  if (typeof href !== 'string') return 'it is not a string';
  if (href.length > 4096) return 'it is longer than 4096 characters';
  return unsafeHrefReason(href);
}

/** The package href's segments, or an UNSAFE_PATH error naming the source. */
export function validateHref(href: string, where: string): string[] {
  const problem = hrefProblem(href);
  if (problem) {
    throw new OvirtRepoError(ErrorCodes.UNSAFE_PATH, `refusing href "${printable(href)}" in ${where}: ${problem}`, {
      target: where,
      hint: 'package and metadata hrefs must be relative paths below the repo; fix the source metadata (createrepo_c writes safe ones)',
    });
  }
  return href.split('/');
}

/** A file name taken from remote metadata and used in the store: one path segment, no tricks. */
export function fileNameProblem(name: string, ending?: string): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'it is empty';
  if (Buffer.byteLength(name) > 255) return 'it is longer than 255 bytes';
  if (name === '.' || name === '..') return 'it is "." or ".."';
  if (name.startsWith('.')) return 'it starts with a dot';
  if (/[/\\\0\r\n]/.test(name)) return 'it contains "/", "\\", NUL or a newline';
  if (ending && !name.endsWith(ending)) return `it does not end in ${ending}`;
  return undefined;
}

export function validateFileName(name: string, where: string, ending?: string): string {
  const problem = fileNameProblem(name, ending);
  if (problem) {
    throw new OvirtRepoError(ErrorCodes.UNSAFE_PATH, `refusing file name "${printable(name)}" from ${where}: ${problem}`, {
      target: where,
      hint: 'fix the source metadata; file names must be plain names such as foo-1.0-1.noarch.rpm',
    });
  }
  return name;
}

/** Make untrusted text safe to echo in a message (no control characters, bounded length). */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = String(s).replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return clean.length > 200 ? `${clean.slice(0, 200)}...` : clean;
}
