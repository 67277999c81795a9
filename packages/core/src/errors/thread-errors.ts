import { ErrorCodes } from './codes.js';
import { OvirtRepoError, isOvirtRepoError } from './ovirt-repo-error.js';

/** An error as it crosses a worker thread boundary: plain data (class instances do not survive it). */
export interface SerializedError {
  ovirtRepo: boolean;
  code?: string;
  message: string;
  target?: string;
  hint?: string;
  data?: Record<string, unknown>;
}

/** OvirtRepoErrors keep their code, target, hint and data; anything else keeps its stack as the message. */
export function serializeError(e: unknown): SerializedError {
  if (isOvirtRepoError(e)) return { ovirtRepo: true, code: e.code, message: e.message, target: e.target, hint: e.hint, data: e.data };
  return { ovirtRepo: false, message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
}

/** The error back on this side; `thread` names the worker in the message of a non-OvirtRepoError. */
export function reviveError(e: SerializedError, thread: string): OvirtRepoError {
  if (e.ovirtRepo) return new OvirtRepoError(e.code as OvirtRepoError['code'], e.message, { target: e.target, hint: e.hint, data: e.data });
  return new OvirtRepoError(ErrorCodes.INTERNAL, `${thread} failed: ${e.message}`);
}
