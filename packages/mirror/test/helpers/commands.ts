import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { captureOutput } from '@oclif/test';
import { pluginRoot, repoRoot } from './built.js';

const run = promisify(execFile);
const bin = join(repoRoot, 'packages', 'cli', 'bin', 'run.js');

export interface BinaryRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real `ovirt-repo` binary, as CI jobs run it (the CLI discovers this plugin in node_modules). */
export async function ovirtRepo(args: string[], env: Record<string, string> = {}): Promise<BinaryRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, maxBuffer: 16 << 20, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

/** Runs a command in-process with --json: its parsed output (or error JSON), exit code and stderr. */
export async function runJson<T = Record<string, unknown>>(
  cmd: { run(argv: string[], root: string): Promise<unknown> },
  argv: string[],
): Promise<{ out: T; exitCode: number; stderr: string }> {
  const prev = process.exitCode;
  process.exitCode = 0;
  const r = await captureOutput(() => cmd.run([...argv, '--json'], pluginRoot));
  const exitCode = Number(process.exitCode ?? 0) || (r.error ? ((r.error as { oclif?: { exit?: number } }).oclif?.exit ?? 1) : 0);
  process.exitCode = prev;
  return { out: JSON.parse(r.stdout) as T, exitCode, stderr: r.stderr };
}

export interface RunningServe {
  /** http://127.0.0.1:PORT, as serve announced it on stderr. */
  url: string;
  stop(): void;
}

/** The real `ovirt-repo serve ARGS --port 0`, up once it has announced its URL (within 10 s). */
export async function startServe(args: string[], env: Record<string, string> = {}): Promise<RunningServe> {
  const child = spawn(process.execPath, [bin, 'serve', ...args, '--port', '0'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const announced = / at (http:\/\/\S+)\//;
  for (let i = 0; i < 200 && !announced.test(err) && child.exitCode === null; i++) await sleep(50);
  const url = announced.exec(err)?.[1];
  if (!url) {
    child.kill('SIGKILL');
    throw new Error(`serve did not start: ${err.trim() || `exit ${child.exitCode}`}`);
  }
  return { url, stop: () => child.kill('SIGTERM') };
}

/**
 * Copies a child's terminal to stdout: the child gets a pty of `cols` columns as stdin, stdout and stderr, as
 * on a person's terminal or a CI runner that allocates one. python3's pty module: no native Node addon.
 */
const PTY_RUN = `
import fcntl, os, pty, struct, subprocess, sys, termios
master, slave = pty.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', 40, int(sys.argv[1]), 0, 0))
child = subprocess.Popen(sys.argv[2:], stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
os.close(slave)
while True:
    try:
        data = os.read(master, 65536)
    except OSError:
        break
    if not data:
        break
    sys.stdout.buffer.write(data)
sys.stdout.buffer.flush()
sys.exit(child.wait())
`;

/** The real binary on a terminal (outside CI): everything it wrote there, as the terminal received it. */
export async function ovirtRepoOnTerminal(args: string[], env: Record<string, string> = {}, cols = 120): Promise<{ code: number; output: string }> {
  const { CI: _ci, ...outside } = process.env;
  try {
    const { stdout } = await run('python3', ['-c', PTY_RUN, String(cols), process.execPath, bin, ...args], { env: { ...outside, TERM: 'xterm', ...env }, maxBuffer: 16 << 20, timeout: 120_000 });
    return { code: 0, output: stdout };
  } catch (e) {
    const x = e as { code: number; stdout: string };
    return { code: x.code, output: x.stdout };
  }
}
