import { availableParallelism } from 'node:os';
import { ErrorCodes, OvirtRepoError, isOvirtRepoError } from '../errors/index.js';
import { reviveError, type SerializedError } from '../errors/thread-errors.js';
import type { ChecksumType } from '../repodata/model.js';
import type { RenderedPackage } from '../repodata/package-entries.js';
import { renderPackage } from '../repodata/writer.js';
import { builtWorkerFile } from '../util/built-worker.js';
import { readRpmPackage } from './read-package.js';

/** One package to read: its file, and the location href its metadata gets. */
export interface RenderRpmJob {
  path: string;
  href: string;
}

export interface RenderRpmOptions {
  checksumType?: ChecksumType;
  changelogLimit?: number;
}

export interface RenderRpmsOptions extends RenderRpmOptions {
  /** Packages read at once, the calling thread included. Default: the CPUs. 1 reads on this thread only. */
  workers?: number;
  /** Called as each package is done (progress). */
  onDone?: () => void;
  /** Errors for which the package is left out (returned in its slot) instead of failing the whole read. */
  skippable?: (error: OvirtRepoError) => boolean;
}

/** A package's entries as writeRepodata writes them, and its file size; or why it was left out. */
export type RenderedRpm = { entry: RenderedPackage; size: number } | { skipped: OvirtRepoError };

/** Reads one package and renders its metadata entries: what every reader thread does per package. */
export async function renderRpm(job: RenderRpmJob, options: RenderRpmOptions): Promise<{ entry: RenderedPackage; size: number }> {
  const pkg = await readRpmPackage(job.path, { checksumType: options.checksumType, changelogLimit: options.changelogLimit, locationHref: job.href });
  return { entry: renderPackage(pkg), size: pkg.size.package };
}

/** Below this many packages a worker's start-up (loading core, about 40 ms) costs more than it saves. */
const MIN_JOBS_PER_WORKER = 64;

export interface RenderRpmsResult {
  /** One outcome per job, in the order given. */
  packages: RenderedRpm[];
  /** Threads that read packages, this one included. */
  threads: number;
}

/**
 * Reads and renders `jobs` on `workers` threads (this one and worker threads), returning one outcome per
 * job in the order given. Reading a package (its headers, and a hash of the whole file) and rendering its
 * XML is CPU work: createrepo_c spreads it over threads, and on one thread Node cannot keep up with it.
 * Threads take the next job from a shared counter, so large and small packages balance out. The first
 * error that `skippable` does not accept stops every thread and is thrown. Without a built worker (core
 * run from its sources, as in unit tests) everything is read on this thread.
 */
export async function renderRpms(jobs: readonly RenderRpmJob[], options: RenderRpmsOptions = {}): Promise<RenderRpmsResult> {
  const threads = Math.max(1, Math.min(options.workers ?? availableParallelism(), Math.floor(jobs.length / MIN_JOBS_PER_WORKER)));
  const workerFile = threads > 1 ? builtWorkerFile('rpm/render-rpms.worker.js') : undefined;
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const results: RenderedRpm[] = new Array(jobs.length);
  const rpmOptions: RenderRpmOptions = { checksumType: options.checksumType, changelogLimit: options.changelogLimit };
  let failure: unknown;

  const settle = (i: number, outcome: { value?: { entry: RenderedPackage; size: number }; error?: unknown }) => {
    if (outcome.value) results[i] = outcome.value;
    else if (isOvirtRepoError(outcome.error) && options.skippable?.(outcome.error)) results[i] = { skipped: outcome.error };
    else {
      failure ??= outcome.error;
      Atomics.store(counter, 0, jobs.length); // no thread takes another job
    }
    options.onDone?.();
  };

  const { Worker } = workerFile ? await import('node:worker_threads') : { Worker: undefined };
  const workers = Worker && workerFile ? Array.from({ length: threads - 1 }, () => new Worker(workerFile, { workerData: { jobs, counter: counter.buffer, options: rpmOptions } })) : [];
  const finished = workers.map(
    (w) =>
      new Promise<void>((resolve) => {
        w.on('message', (m: WorkerMessage) => {
          if (m.done) return resolve();
          settle(m.i, m.error ? { error: reviveError(m.error, 'a package reader thread') } : { value: m.value });
        });
        w.on('error', (e) => {
          failure ??= e;
          Atomics.store(counter, 0, jobs.length);
          resolve();
        });
        w.on('exit', () => resolve());
      }),
  );

  // This thread reads too; it yields between packages, so worker results are taken in as they come.
  for (;;) {
    const i = Atomics.add(counter, 0, 1);
    const job = jobs[i];
    if (!job) break;
    try {
      settle(i, { value: await renderRpm(job, rpmOptions) });
    } catch (e) {
      settle(i, { error: e });
    }
  }
  await Promise.all(finished);
  await Promise.all(workers.map((w) => w.terminate()));
  if (failure) throw failure;
  const lost = jobs.findIndex((_, i) => results[i] === undefined);
  if (lost >= 0) throw new OvirtRepoError(ErrorCodes.INTERNAL, `a package reader thread ended without reading ${jobs[lost]?.path}`);
  return { packages: results, threads: workers.length + 1 };
}

/** What a worker posts: one outcome, or that it is done. */
export type WorkerMessage =
  | { done: true; i?: undefined; value?: undefined; error?: undefined }
  | { done?: undefined; i: number; value?: { entry: RenderedPackage; size: number }; error?: SerializedError };
