import { ErrorCodes, OvirtRepoError } from '../errors/index.js';

/** Every structural problem in a package becomes E_RPM_INVALID naming the file, so a bad upload is obvious. */
export function rpmInvalid(
  file: string,
  problem: string,
  details: { hint?: string; data?: Record<string, unknown> } = {},
): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.RPM_INVALID, `${problem} in ${file}`, {
    target: file,
    hint: details.hint ?? 'the file is not a valid RPM package (truncated or corrupted?); rebuild or re-download it',
    data: details.data,
  });
}
