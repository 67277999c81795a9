import { ErrorCodes, OvirtRepoError, assertSafeFileName, printable, repoNameProblem } from '@ovirt-repo/core';

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
 * Hrefs and file names from remote metadata follow core's one rule (fs/file-names.ts, repodata/safe-href.ts),
 * which minirepo and publish apply too: what one step accepts, the next does.
 */
export {
  unsafeHrefReason as hrefProblem,
  assertSafeHref as validateHref,
  fileNameProblem,
  printable,
} from '@ovirt-repo/core';

/** A file name taken from remote metadata and used in the store, or an E_UNSAFE_PATH error naming `where`. */
export function validateFileName(name: string, where: string, ending?: string): string {
  return assertSafeFileName(name, where, ending ? { ending } : {});
}
