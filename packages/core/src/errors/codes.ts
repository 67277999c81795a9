/**
 * Every error ovirt-repo raises carries one of these stable codes. Scripts match on them, and the
 * troubleshooting guide (docs/troubleshooting.md) is ordered by them, so never rename or reuse a code.
 */
export const ErrorCodes = {
  USAGE: 'E_USAGE',
  NOT_FOUND: 'E_NOT_FOUND',
  IO: 'E_IO',
  RPM_INVALID: 'E_RPM_INVALID',
  REPODATA_INVALID: 'E_REPODATA_INVALID',
  CHECKSUM_MISMATCH: 'E_CHECKSUM_MISMATCH',
  SIZE_MISMATCH: 'E_SIZE_MISMATCH',
  COMPRESSION: 'E_COMPRESSION',
  FETCH: 'E_FETCH',
  CONFIG_INVALID: 'E_CONFIG_INVALID',
  UNSAFE_PATH: 'E_UNSAFE_PATH',
  LOCKED: 'E_LOCKED',
  VERIFY_FAILED: 'E_VERIFY_FAILED',
  UNKNOWN_SCHEME: 'E_UNKNOWN_SCHEME',
  TARGET: 'E_TARGET',
  STORE: 'E_STORE',
  OLDER_SOURCE: 'E_OLDER_SOURCE',
  CONFLICT: 'E_CONFLICT',
  SIGN: 'E_SIGN',
  /** A package or repomd.xml whose OpenPGP signature is missing, bad or made by a key not given (--gpgcheck, --repo-gpgcheck). */
  GPGCHECK: 'E_GPGCHECK',
  INTERNAL: 'E_INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
