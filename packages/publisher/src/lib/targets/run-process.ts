import { execa } from 'execa';

export interface ProcessResult {
  /** Exit status; undefined when the process could not be started or died from a signal. */
  exitCode?: number;
  signal?: NodeJS.Signals;
  stdout: string;
  stderr: string;
  /** The spawn error code (ENOENT: binary not found, EACCES...). */
  spawnError?: string;
  cause?: unknown;
}

/**
 * Run `bin args` through execa without a shell, stdin closed, collecting stdout and stderr as UTF-8. Never
 * throws for a failing command: callers look at exitCode and turn it into their own error naming the target.
 */
export async function runProcess(bin: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ProcessResult> {
  const r = await execa(bin, args, { env, extendEnv: false, stdin: 'ignore', reject: false, stripFinalNewline: false });
  const spawnError = r.exitCode === undefined && !r.signal ? ((r.cause as NodeJS.ErrnoException | undefined)?.code ?? 'EINVAL') : undefined;
  return {
    exitCode: r.exitCode,
    signal: r.signal,
    stdout: r.stdout,
    stderr: r.stderr,
    spawnError,
    cause: r.cause,
  };
}
