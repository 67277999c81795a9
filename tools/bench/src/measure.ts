import { performance } from 'node:perf_hooks';
import { execa } from 'execa';

export interface Command {
  file: string;
  args: string[];
  env?: Record<string, string>;
}

/** Wall time of a whole process, start to exit, in milliseconds (what a CI job pays). */
export async function timeProcess(cmd: Command): Promise<number> {
  const start = performance.now();
  const result = await execa(cmd.file, cmd.args, { env: cmd.env, reject: false, stdin: 'ignore' });
  const ms = performance.now() - start;
  if (result.exitCode !== 0) {
    throw new Error(`${cmd.file} ${cmd.args.join(' ')} failed (exit ${result.exitCode}):\n${result.stderr}`);
  }
  return ms;
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
 * Run ours and the peer alternately `runs` times (after `prepare`, which resets their inputs), and report
 * the median of the per-pair ratios. Pairing cancels most of the machine's noise, which drifts slowly.
 */
export async function paired(
  name: string,
  runs: number,
  step: (i: number) => Promise<{ ours: () => Promise<number>; peer: () => Promise<number> }>,
): Promise<PairedResult> {
  const ours: number[] = [];
  const peer: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = await step(i);
    // Alternate who goes first so cache warmth does not favour one side.
    let o: number;
    let p: number;
    if (i % 2 === 0) {
      o = await s.ours();
      p = await s.peer();
    } else {
      p = await s.peer();
      o = await s.ours();
    }
    ours.push(o);
    peer.push(p);
    ratios.push(o / p);
  }
  return { name, oursMs: median(ours), peerMs: median(peer), ratio: median(ratios), runs };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
