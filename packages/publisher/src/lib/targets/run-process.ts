import { spawn } from 'node:child_process';

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
 * Run `bin args` without a shell, stdin closed, collecting stdout and stderr as UTF-8. Never throws for a
 * failing command: callers look at exitCode and turn it into their own error. Kept to node:child_process so
 * the publisher plugin adds no process-spawning dependency of its own.
 */
export function runProcess(bin: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let child;
    try {
      child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      resolve({ stdout: '', stderr: '', spawnError: (e as NodeJS.ErrnoException).code ?? 'EINVAL', cause: e });
      return;
    }
    child.stdout.on('data', (c: Buffer) => stdout.push(c));
    child.stderr.on('data', (c: Buffer) => stderr.push(c));
    let spawnError: NodeJS.ErrnoException | undefined;
    child.on('error', (e: NodeJS.ErrnoException) => (spawnError = e));
    child.on('close', (code, signal) => {
      resolve({
        exitCode: code ?? undefined,
        signal: signal ?? undefined,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        spawnError: spawnError?.code,
        cause: spawnError,
      });
    });
  });
}
