import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makeOnePackageRepo, makeRepo } from './corpus.js';
import { fromSamples, median, paired } from './measure.js';
import { ovirtRepoJson, type SyncJson } from './product.js';
import { pairedRow, skippedRow, type Row } from './row.js';

export interface SnapshotBenchOptions {
  workDir: string;
  /** The usual repo size (BENCH_PACKAGES). */
  small: number;
  /** The large one (BENCH_LARGE); 0 skips the rows. */
  large: number;
  runs: number;
}

/** "It should barely grow" (issue 6): 10x the packages may cost at most this much more. */
const GROWTH_GOAL = { maxRatio: 1.5 };

/**
 * How snapshot creation scales with repo size: the deploy-to-experimental job, an additive sync of a
 * build's one-package mini repo into a repo of N packages that are all in the pool already, so nearly
 * all the work is making the snapshot. Runs at the large and the small size alternate (paired), one
 * store each; the result is the large/small ratio, for the whole process and for the in-process time
 * the sync reports (`durationMs` of --json, without Node/oclif start-up).
 */
export async function benchSnapshot(o: SnapshotBenchOptions): Promise<Row[]> {
  const wholeName = `snapshot (additive +1 pkg), ${o.large} vs ${o.small} pkgs`;
  const inName = 'same, in-process (--json durationMs)';
  const peerName = `same at ${o.small} pkgs`;
  if (o.large === 0) return [skippedRow(wholeName, peerName, GROWTH_GOAL, 'BENCH_LARGE=0')];
  const base = join(o.workDir, 'snapshot');
  try {
    const large = await prepare(join(base, 'large'), o.large);
    const small = await prepare(join(base, 'small'), o.small);
    const inLarge: number[] = [];
    const inSmall: number[] = [];
    const timings: Array<Record<string, number>> = [];
    const whole = await paired(wholeName, o.runs, async (i) => {
      const build = `bench-build-${i}`;
      await makeOnePackageRepo(join(large.dir, build), build);
      await makeOnePackageRepo(join(small.dir, build), build);
      return {
        ours: async () => {
          const r = await large.add(build, o.large + i + 1);
          inLarge.push(r.json.durationMs);
          timings.push(r.json.timings);
          return r.ms;
        },
        peer: async () => {
          const r = await small.add(build, o.small + i + 1);
          inSmall.push(r.json.durationMs);
          return r.ms;
        },
      };
    });
    const inProcess = fromSamples(inName, inLarge, inSmall);
    return [pairedRow(whole, peerName, GROWTH_GOAL), pairedRow(inProcess, peerName, GROWTH_GOAL, `median stages at ${o.large}: ${stageSummary(timings)}`)];
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

/** A store whose repo `exp` already holds `count` packages (untimed setup). */
async function prepare(dir: string, count: number) {
  const source = join(dir, 'source');
  const store = join(dir, 'store');
  await makeRepo(source, count);
  const sync = (from: string) => ovirtRepoJson<SyncJson>(['mirror', 'sync', 'exp', '--mode', 'additive', '--from', from, '--store', store], dir);
  await sync(source);
  return {
    dir,
    /** Adds the build's mini repo; checks that exactly one package was downloaded into a repo of `expected`. */
    add: async (build: string, expected: number) => {
      const r = await sync(join(dir, build));
      if (!r.json.changed || r.json.packages !== expected || r.json.downloaded.count !== 1) {
        throw new Error(`additive sync of ${build}: expected ${expected} packages and one download, got ${JSON.stringify(r.json).slice(0, 400)}`);
      }
      return r;
    },
  };
}

/** "writeSnapshotMetadata 2402 ms, planDownloads 321 ms, ..." (median per stage, largest first, the top four). */
export function stageSummary(runs: Array<Record<string, number>>): string {
  const stages = [...new Set(runs.flatMap((t) => Object.keys(t)))];
  const medians = stages.map((s) => [s, median(runs.map((t) => t[s] ?? 0))] as const).sort((a, b) => b[1] - a[1]);
  return medians
    .slice(0, 4)
    .map(([s, ms]) => `${s} ${Math.round(ms)} ms`)
    .join(', ');
}
