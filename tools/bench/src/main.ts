#!/usr/bin/env node
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchMinirepo } from './minirepo-bench.js';
import { formatTable } from './table.js';

/**
 * `npm run bench`: every figure is a ratio against the real peer measured in the same run, on the same
 * machine, so results are comparable across machines; absolute times are printed for context only.
 * BENCH_PACKAGES and BENCH_RUNS shrink or grow the workload.
 */
async function main(): Promise<void> {
  const packages = Number(process.env.BENCH_PACKAGES ?? 2000);
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const workers = availableParallelism();
  const workDir = await mkdtemp(join(tmpdir(), 'ovirt-repo-bench-'));
  try {
    process.stdout.write(`Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${workers} CPUs, Node ${process.version}\n`);
    process.stdout.write(`Workload: ${packages} packages, ${runs} paired runs per row, ${workers} workers on both sides\n\n`);
    const rows = [...(await benchMinirepo({ workDir, packages, workers, runs }))];
    process.stdout.write(`${formatTable(rows)}\n`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
