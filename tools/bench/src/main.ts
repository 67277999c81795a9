#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { formatLoad, machineLines } from './machine.js';
import { benchMinirepo } from './minirepo-bench.js';
import { benchMirror } from './mirror-bench.js';
import { parseOptions, type Family } from './options.js';
import { benchPublish } from './publish-bench.js';
import { benchDeployS3 } from './deploy-s3-bench.js';
import { benchMirrorS3 } from './mirror-s3-bench.js';
import { benchPublishS3 } from './publish-s3-bench.js';
import { failedRow, type Row } from './row.js';
import { benchSnapshot } from './snapshot-bench.js';
import { formatMarkdown, formatTable } from './table.js';

/**
 * `npm run bench`: every figure is a ratio against the real peer measured in the same run, on the same
 * machine, so results are comparable across machines; absolute times are printed for context only.
 * The report goes to stdout, progress to stderr. BENCH_PACKAGES, BENCH_RUNS, BENCH_LARGE, BENCH_ONLY and
 * BENCH_MARKDOWN change the workload and output (see options.ts and docs/performance.md).
 */
async function main(): Promise<void> {
  const opts = parseOptions(process.env);
  const workers = availableParallelism();
  // ovirt-repo's default download parallelism (max(4, CPUs)); dnf gets the same via max_parallel_downloads.
  const downloads = Math.max(4, workers);
  const workDir = await mkdtemp(join(tmpdir(), 'ovirt-repo-bench-'));
  // Ctrl-C or a kill: exit through 'exit' handlers, which stop nginx (nginx.ts) and remove the work dir.
  // Never throw from here (a child may still be writing into it): that would skip the other handlers.
  process.once('exit', () => {
    try {
      rmSync(workDir, { recursive: true, force: true, maxRetries: 2 });
    } catch {
      // A killed child (execa kills them at exit, after this handler) was still writing: retry shortly after.
      spawn('sh', ['-c', 'sleep 2; rm -rf "$0"', workDir], { detached: true, stdio: 'ignore' }).unref();
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));

  const out = (line = '') => process.stdout.write(`${line}\n`);
  const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);
  const families: Record<Family, () => Promise<Row[]>> = {
    minirepo: () => benchMinirepo({ workDir, packages: opts.packages, workers, runs: opts.runs }),
    mirror: async () => [...(await benchMirror({ workDir, packages: opts.packages, runs: opts.runs, downloads })), ...(await benchMirrorS3({ workDir, packages: opts.packages, runs: opts.runs }))],
    publish: async () => [...(await benchPublish({ workDir, packages: opts.packages, runs: opts.runs })), ...(await benchPublishS3({ workDir, packages: opts.packages, runs: opts.runs }))],
    snapshot: async () => [...(await benchSnapshot({ workDir, small: opts.packages, large: opts.large, runs: opts.runs })), ...(await benchDeployS3({ workDir, packages: opts.packages, runs: opts.runs }))],
  };

  try {
    const startLoad = formatLoad();
    const started = performance.now();
    const rows: Row[] = [];
    for (const f of opts.only) {
      const t = performance.now();
      progress(`${f}: running (load ${formatLoad()})`);
      try {
        rows.push(...(await families[f]()));
        progress(`${f}: done in ${((performance.now() - t) / 1000).toFixed(0)} s`);
      } catch (e) {
        // Keep the other families' figures (this machine is shared; a neighbour's rebuild can break a run),
        // but say so in the table and exit non-zero.
        progress(`${f}: FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        rows.push(failedRow(f, e));
        process.exitCode = 1;
      }
    }

    out(`ovirt-repo benchmarks, ${new Date().toISOString()}`);
    for (const line of await machineLines()) out(line);
    out(`Load:   ${startLoad} at start, ${formatLoad()} at end (1/5/15 min; the machine may be shared, so figures are noisy)`);
    out(`Work:   ${opts.packages} packages (large: ${opts.large}), ${opts.runs} paired runs per row, ${workers} createrepo workers, ${downloads} parallel downloads`);
    out(`Times are medians of whole-process wall times; ratio = median of per-pair ovirt-repo/peer ratios (< 1 means ovirt-repo is faster).`);
    out(`Total:  ${((performance.now() - started) / 1000).toFixed(0)} s`);
    out();
    out(formatTable(rows));
    if (opts.markdown) {
      out();
      out(formatMarkdown(rows));
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
