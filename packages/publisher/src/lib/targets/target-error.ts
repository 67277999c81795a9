import { ErrorCodes, OvirtRepoError } from '@ovirt-repo/core';

const HINTS: Record<string, string> = {
  EACCES: 'Check that the user running ovirt-repo may write there (owner, mode, read-only mount).',
  EPERM: 'Check that the user running ovirt-repo may write there (owner, mode, read-only mount).',
  EROFS: 'The filesystem is mounted read-only; publish to a writable location.',
  ENOSPC: 'The destination filesystem is full; free space or raise its quota, then publish again.',
  EDQUOT: 'The destination quota is exhausted; free space or raise it, then publish again.',
  ENOTDIR: 'A file stands where a directory is needed; remove it or choose another destination.',
  EISDIR: 'A directory stands where a file is needed; remove it or choose another destination.',
};

/** An E_TARGET error for a failed filesystem call on a target: operation, full location and a fix. */
export function fsTargetError(operation: string, where: string, cause: unknown): OvirtRepoError {
  const sys = cause as NodeJS.ErrnoException | undefined;
  const code = sys?.code ?? '';
  if (code === 'ENOENT' && operation === 'read') {
    return new OvirtRepoError(ErrorCodes.NOT_FOUND, `read failed for ${where}: no such file`, { target: where, cause });
  }
  const reason = code ? `${code}: ${sys?.message}` : String((cause as Error)?.message ?? cause);
  return new OvirtRepoError(ErrorCodes.TARGET, `${operation} failed for ${where}: ${reason}`, {
    target: where,
    hint: HINTS[code] ?? 'Check the destination path and its permissions, then publish again.',
    cause,
  });
}
