// A package reader thread of renderRpms: takes the next job from the shared counter until none is left,
// posting each package's rendered entries (or its error) back, then `done`.
import { parentPort, workerData } from 'node:worker_threads';
import { serializeError } from '../errors/thread-errors.js';
import { renderRpm, type RenderRpmJob, type RenderRpmOptions, type WorkerMessage } from './render-rpms.js';

const { jobs, counter, options } = workerData as { jobs: RenderRpmJob[]; counter: SharedArrayBuffer; options: RenderRpmOptions };
const next = new Int32Array(counter);
const post = (m: WorkerMessage) => parentPort?.postMessage(m);

for (;;) {
  const i = Atomics.add(next, 0, 1);
  const job = jobs[i];
  if (!job) break;
  try {
    post({ i, value: await renderRpm(job, options) });
  } catch (e) {
    post({ i, error: serializeError(e) });
  }
}
post({ done: true });
