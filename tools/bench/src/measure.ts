import { performance } from 'node:perf_hooks';
import { execa } from 'execa';

export interface Command {
  file: string;
  args: string[];
  /** The complete environment of the process (default: this process's). */
  env?: Record<string, string>;
  /** Working directory; benchmarks run in their temp dir so no ovirt-repo.yaml of the caller is picked up. */
  cwd?: string;
}

export interface ProcessRun {
  /** Wall time of the whole process, start to exit, in milliseconds (what a CI job pays). */
  ms: number;
  stdout: string;
}

/** Runs a command to completion, timing the whole process; a non-zero exit is an error (a broken benchmark). */
export async function runProcess(cmd: Command): Promise<ProcessRun> {
  const start = performance.now();
  const result = await execa(cmd.file, cmd.args, { env: cmd.env, extendEnv: cmd.env === undefined, cwd: cmd.cwd, reject: false, stdin: 'ignore', maxBuffer: 256 << 20 });
  const ms = performance.now() - start;
  if (result.exitCode !== 0) {
    throw new Error(`${cmd.file} ${cmd.args.join(' ')} failed (exit ${result.exitCode}):\n${result.stderr}`);
  }
  return { ms, stdout: result.stdout };
}

/** Wall time of a whole process in milliseconds. */
export async function timeProcess(cmd: Command): Promise<number> {
  return (await runProcess(cmd)).ms;
}

export interface PairedResult {
  name: string;
  oursMs: number;
  peerMs: number;
  /** Median of the per-pair ratios ours/peer: below 1.0 means ovirt-repo is faster. */
  ratio: number;
  runs: number;
}

/**
 * Run ours and the peer alternately `runs` times (after `step`, which resets their inputs and is not
 * timed), and report the median of the per-pair ratios. Pairing cancels most of the machine's noise, which
 * drifts slowly (this machine is shared with other workers).
 */
export async function paired(
  name: string,
  runs: number,
  step: (i: number) => Promise<{ ours: () => Promise<number>; peer: () => Promise<number> }>,
): Promise<PairedResult> {
  const ours: number[] = [];
  const peer: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = await step(i);
    // Alternate who goes first so cache warmth does not favour one side.
    if (i % 2 === 0) {
      ours.push(await s.ours());
      peer.push(await s.peer());
    } else {
      peer.push(await s.peer());
      ours.push(await s.ours());
    }
  }
  return fromSamples(name, ours, peer);
}

/** A paired result from samples already taken in pairs (ours[i] ran next to peer[i]). */
export function fromSamples(name: string, ours: number[], peer: number[]): PairedResult {
  if (ours.length !== peer.length || ours.length === 0) {
    throw new Error(`${name}: need the same non-zero number of samples on both sides (got ${ours.length} and ${peer.length})`);
  }
  const ratios = ours.map((o, i) => o / peer[i]);
  return { name, oursMs: median(ours), peerMs: median(peer), ratio: median(ratios), runs: ours.length };
}

export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Repeats an unpaired measurement (no peer) `runs` times after an untimed `step`. */
export async function repeat(runs: number, step: (i: number) => Promise<() => Promise<number>>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const run = await step(i);
    out.push(await run());
  }
  return out;
}
