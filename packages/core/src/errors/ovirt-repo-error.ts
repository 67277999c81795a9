import type { ErrorCode } from './codes.js';

export interface ErrorDetails {
  /** The file, URL or store object the failed operation worked on. */
  target?: string;
  /** One line telling the user how to fix it. */
  hint?: string;
  /** The underlying error, kept for --json output and debugging. */
  cause?: unknown;
  /** Extra machine-readable facts (line numbers, expected/actual values, problem lists). */
  data?: Record<string, unknown>;
}

/**
 * The one error type library code throws. The message says what went wrong; `target` names the file or
 * URL; `hint` says how to fix it. Commands render all three and exit non-zero.
 */
export class OvirtRepoError extends Error {
  readonly code: ErrorCode;
  readonly target?: string;
  readonly hint?: string;
  readonly data?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'OvirtRepoError';
    this.code = code;
    this.target = details.target;
    this.hint = details.hint;
    this.data = details.data;
  }

  /** The message as a user reads it: what, where, and how to fix it. */
  describe(): string {
    const where = this.target && !this.message.includes(this.target) ? ` (${this.target})` : '';
    const hint = this.hint ? `\nHint: ${this.hint}` : '';
    return `${this.message}${where}${hint}`;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, target: this.target, hint: this.hint, data: this.data };
  }
}

export function isOvirtRepoError(e: unknown): e is OvirtRepoError {
  return e instanceof OvirtRepoError;
}

/** Wrap a Node system error (ENOENT, EACCES...) so it names the operation and the target. */
export function ioError(operation: string, target: string, cause: unknown): OvirtRepoError {
  const sys = cause as NodeJS.ErrnoException | undefined;
  const reason = sys?.code ? `${sys.code}: ${sys.message}` : String((cause as Error)?.message ?? cause);
  return new OvirtRepoError('E_IO', `${operation} failed for ${target}: ${reason}`, { target, cause });
}
