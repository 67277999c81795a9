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

/** What a system error code means, in words, and what usually fixes it. */
const SYSTEM_ERRORS: Record<string, [string, string]> = {
  ENOENT: ['no such file or directory', 'check the path: a directory on it may be missing, or another process removed the file'],
  EACCES: ['permission denied', 'run as a user that may read and write there, or fix the permissions (ls -ld on each directory of the path)'],
  EPERM: ['operation not permitted', 'run as a user that may change it, or check for immutable files and mount options'],
  ENOSPC: ['no space left on the device', 'free space on that file system (ovirt-repo gc removes old snapshots), or move the store'],
  EDQUOT: ['disk quota exceeded', 'free space under your quota, or ask for a larger one'],
  EROFS: ['read-only file system', 'write to a file system mounted read-write'],
  EIO: ['input/output error', 'the disk or network file system failed: check the system log (dmesg) before retrying'],
  ENOTDIR: ['a component of the path is not a directory', 'check the path: a file stands where a directory should be'],
  EISDIR: ['it is a directory', 'name a file, not a directory'],
  EMFILE: ['too many open files', 'raise the open-file limit (ulimit -n) or use fewer --workers'],
  EXDEV: ['not on the same file system', 'keep the store (and its temporary files) on one file system'],
};

/**
 * Wrap a Node system error (ENOENT, EACCES...) so it names the operation and the target once, says what the
 * code means in words, and hints at the usual fix.
 */
export function ioError(operation: string, target: string, cause: unknown): OvirtRepoError {
  const sys = cause as NodeJS.ErrnoException | undefined;
  const known = sys?.code ? SYSTEM_ERRORS[sys.code] : undefined;
  // Node's message repeats the code and the path ("ENOENT: no such file or directory, open '/x'").
  const words = known?.[0] ?? (sys?.code ? sys.message.replace(new RegExp(`^${sys.code}: `), '').replace(/, \w+ '.*'$/, '') : String((cause as Error)?.message ?? cause));
  const reason = sys?.code ? `${words} (${sys.code})` : words;
  return new OvirtRepoError('E_IO', `${operation} failed for ${target}: ${reason}`, {
    target,
    hint: known?.[1] ?? 'check the path, its permissions and the free space of its file system, then run the command again',
    cause,
    ...(sys?.code ? { data: { errno: sys.code } } : {}),
  });
}
