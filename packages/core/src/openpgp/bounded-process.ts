import { spawn } from 'node:child_process';

export interface BoundedRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  /** The end of stderr (at most STDERR_KEEP bytes), for error messages. */
  stderr: string;
  /** Why the process was stopped early: the deadline passed or stdout outgrew its bound. */
  stopped?: 'timeout' | 'output';
  /** The spawn error code (ENOENT: not found, EACCES...). */
  spawnError?: string;
}

const STDERR_KEEP = 2048;

/**
 * Run `bin args` without a shell, feed `input` on stdin, and collect stdout up to `maxOutput` bytes; the
 * process is killed when it runs past `timeoutMs` or writes more. It runs in a process group of its own,
 * killed whole: a script's children (`sleep`, `yes`) would otherwise outlive it and hold its pipes open.
 * Never throws: callers name what failed.
 */
export function runBounded(bin: string, args: readonly string[], opts: { input?: Buffer; env: NodeJS.ProcessEnv; timeoutMs: number; maxOutput: number }): Promise<BoundedRun> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { env: opts.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let stopped: BoundedRun['stopped'];
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      child.stdout.destroy();
      child.stderr.destroy();
    };
    const stop = (why: NonNullable<BoundedRun['stopped']>) => {
      stopped ??= why;
      killGroup();
    };
    const timer = setTimeout(() => stop('timeout'), opts.timeoutMs);
    // The process has exited: what it left running in its group gets a moment to finish writing, then goes.
    child.on('exit', () => setTimeout(killGroup, 1000).unref());
    child.stdout.on('data', (c: Buffer) => {
      if (stopped) return;
      outBytes += c.length;
      if (outBytes > opts.maxOutput) stop('output');
      else out.push(c);
    });
    child.stderr.on('data', (c: Buffer) => {
      err = (err + c.toString('utf8')).slice(-STDERR_KEEP);
    });
    // A signer that exits without reading its input closes the pipe under us: that is its failure to report.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? Buffer.alloc(0));
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ exitCode: null, signal: null, stdout: Buffer.alloc(0), stderr: err, spawnError: e.code ?? 'EINVAL' });
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, stdout: Buffer.concat(out), stderr: err.trim(), ...(stopped ? { stopped } : {}) });
    });
  });
}
