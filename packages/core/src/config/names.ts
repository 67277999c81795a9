/**
 * Names in ovirt-repo.yaml that become parts of store paths (repo names) or identifiers (publish entries).
 * The rules match the store's own check (packages/mirror names.ts), so a configured repo is always one the
 * store accepts.
 */
export const REPO_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
export const MAX_REPO_NAME_LENGTH = 200;
/** Names that live beside the repo directories in `<store>/yum/` and so cannot be repo names. */
const RESERVED_REPO_NAMES = /^all_latest(\..*)?$/i;

export const REPO_NAME_RULE = `start with a letter or digit and use only letters, digits and . _ + - (no "..", at most ${MAX_REPO_NAME_LENGTH} characters)`;

/** Why `name` cannot be a repo name, or undefined when it can. */
export function repoNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'a repo name must not be empty';
  if (name.length > MAX_REPO_NAME_LENGTH) return `a repo name must be at most ${MAX_REPO_NAME_LENGTH} characters`;
  if (!REPO_NAME_PATTERN.test(name) || name.includes('..')) return `invalid name ${JSON.stringify(name)}: names ${REPO_NAME_RULE}`;
  if (RESERVED_REPO_NAMES.test(name)) return `invalid name ${JSON.stringify(name)}: all_latest.* is reserved for the store's index files`;
  return undefined;
}

export function isValidRepoName(name: string): boolean {
  return repoNameProblem(name) === undefined;
}
