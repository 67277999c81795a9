import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pluginRoot } from './built.js';

const runner = join(pluginRoot, 'test', 'helpers', 'runner.mjs');

export interface ChildRun {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; result: Record<string, unknown> | undefined; stderr: string }>;
}

/**
 * Run a library call of the compiled plugin in a child process (see runner.mjs); `wrapper`: a command that
 * execs the rest of its arguments (see onOtherHost).
 */
export function runChild(op: 'sync' | 'gc' | 'store-writes' | 'hold-lock' | 'repo-delete' | 'repo-rename' | 'promote', options: object, env: Record<string, string> = {}, wrapper: string[] = []): ChildRun {
  const [command, ...args] = [...wrapper, process.execPath, runner, op, JSON.stringify(options)];
  const child = spawn(command!, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; result: Record<string, unknown> | undefined; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => {
      let result: Record<string, unknown> | undefined;
      try {
        result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Record<string, unknown>;
      } catch {
        result = undefined;
      }
      resolve({ code, signal, result, stderr });
    }),
  );
  return { child, done };
}

/** Wait until `file` exists (the child reached its pause point). */
export async function waitForFile(file: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${file}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A wrapper for runChild: the child runs with another host name (a UTS namespace of its own), so its locks
 * are another host's, broken after `staleAfterMs` without heartbeat, as a writer on another host sharing
 * the store. Needs `unshare` and the right to make namespaces (root).
 */
export const onOtherHost = (name: string): string[] => ['unshare', '--uts', 'sh', '-c', `hostname ${name} && exec "$@"`, 'sh'];
