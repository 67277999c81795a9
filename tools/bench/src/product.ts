import { execa } from 'execa';
import { runProcess, type Command } from './measure.js';
import { ovirtRepoBin } from './paths.js';

/**
 * This process's environment (or `base`) without OVIRT_REPO_* settings, so a store, config or base URL
 * exported in the caller's shell cannot change what the benchmark measures.
 */
function cleanEnv(base: Record<string, string | undefined> = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined && !k.startsWith('OVIRT_REPO_')) env[k] = v;
  return env;
}

/** The real binary, as users run it: a new Node process with oclif start-up included in the time. */
export function ovirtRepo(args: string[], cwd: string, env?: Record<string, string>): Command {
  return { file: process.execPath, args: [ovirtRepoBin, ...args], cwd, env: cleanEnv(env) };
}

/** Runs `ovirt-repo ARGS --json`: the whole-process wall time and the parsed result. */
export async function ovirtRepoJson<T>(args: string[], cwd: string, env?: Record<string, string>): Promise<{ ms: number; json: T }> {
  const { ms, stdout } = await runProcess(ovirtRepo([...args, '--json'], cwd, env));
  try {
    return { ms, json: JSON.parse(stdout) as T };
  } catch {
    throw new Error(`ovirt-repo ${args.join(' ')} --json printed no JSON:\n${stdout.slice(0, 500)}`);
  }
}

/** Whether this build of ovirt-repo has the command (e.g. `publish` while a colleague finishes it). */
export async function hasCommand(words: string[], cwd: string): Promise<boolean> {
  const cmd = ovirtRepo([...words, '--help'], cwd);
  const r = await execa(cmd.file, cmd.args, { cwd, env: cmd.env, extendEnv: false, reject: false, stdin: 'ignore' });
  return r.exitCode === 0 && !/command .* not found/i.test(`${r.stdout}\n${r.stderr}`);
}

/** The subset of `mirror sync --json` the benchmarks read (see packages/mirror/src/lib/sync/sync-repo.ts). */
export interface SyncJson {
  snapshot: string | null;
  url: string | null;
  changed: boolean;
  packages: number;
  downloaded: { count: number; bytes: number };
  timings: Record<string, number>;
  durationMs: number;
}
