import type { ErrorCode } from './codes.js';
import { OvirtRepoError } from './ovirt-repo-error.js';

/**
 * What to try for an error that names no fix of its own: every error a command prints has a Hint. The
 * specific hint, where the code that raised the error knows one, always wins.
 */
const FALLBACK: Record<ErrorCode, string> = {
  E_USAGE: 'Run the command with --help for its flags and arguments',
  E_NOT_FOUND: 'Check the path or URL, and that the step of the job that makes it ran',
  E_IO: 'Check the file system (free space, permissions, mounts) and run again',
  E_RPM_INVALID: 'The file is not an RPM that can be read: rebuild it, or leave it out',
  E_REPODATA_INVALID: "Regenerate the repository's metadata (createrepo_c), or use another mirror",
  E_CHECKSUM_MISMATCH: 'The file changed or was damaged on the way: run again; if it persists, the source is inconsistent (try another mirror)',
  E_SIZE_MISMATCH: 'The file changed or was damaged on the way: run again; if it persists, the source is inconsistent (try another mirror)',
  E_COMPRESSION: 'The compressed file is damaged or of a kind not supported: fetch or regenerate it',
  E_FETCH: 'Check the URL, and that the server is reachable from here (proxy and certificates: docs/trust.md)',
  E_CONFIG_INVALID: 'Fix the configuration named above (docs/config.md lists every key)',
  E_UNSAFE_PATH: 'Names that come from outside may not lead out of the store or destination: fix the source',
  E_LOCKED: 'Another writer holds the lock: wait for it to finish, or give a longer --lock-timeout',
  E_VERIFY_FAILED: 'Run the step that wrote it again; docs/troubleshooting.md lists the causes by error code',
  E_UNKNOWN_SCHEME: 'Use a scheme an installed plugin provides: ovirt-repo publish targets lists them',
  E_TARGET: 'Check that the destination is reachable and writable, and run again',
  E_STORE: 'Check the store (ovirt-repo store check), and run again',
  E_OLDER_SOURCE: 'Publish a newer source, or give --allow-older to roll back on purpose',
  E_CONFLICT: 'Another writer changed it meanwhile: run again',
  E_SIGN: 'Check the signing key or command (docs/trust.md)',
  E_GPGCHECK: 'Check the keys given with --gpg-key (docs/trust.md)',
  E_INTERNAL: 'This is a bug in ovirt-repo: run the command again with --verbose and report what it prints',
};

/** The error as a command reports it: with its own hint, or the one for its code. */
export function withHint(err: OvirtRepoError): OvirtRepoError {
  if (err.hint) return err;
  const hint = FALLBACK[err.code];
  return new OvirtRepoError(err.code, err.message, { target: err.target, hint, data: err.data, cause: err.cause ?? err });
}
