import { mapLimit, redactUrl, type Logger, type ReadClient } from '@ovirt-repo/core';
import { stagePoolFile, type StagedPoolFile } from '../store/pool.js';
import type { StoreLayout } from '../store/layout.js';
import type { DownloadPlan } from './plan-downloads.js';

export interface DownloadResult {
  count: number;
  bytes: number;
}

/**
 * Fetch the planned packages into the pool, `workers` at a time. Each file is streamed to a temp file
 * beside its final place, checked against the size and checksum from the source metadata, and only then
 * fsynced and linked into the pool; transient failures are retried with backoff, restarting the file from
 * zero. The first permanent failure (404, checksum mismatch after a retry) stops the sync before anything
 * is published. When this returns, every downloaded file is durable in the pool.
 */
export async function downloadToPool(layout: StoreLayout, plan: DownloadPlan, client: ReadClient, workers: number, log: Logger): Promise<DownloadResult> {
  const items = [...plan.fetch.map((c) => ({ c, replace: false })), ...plan.corrupt.map((c) => ({ c, replace: true }))];
  if (items.length === 0) return { count: 0, bytes: 0 };
  for (const c of plan.corrupt) log.warn(`pool file ${c.poolHref} is damaged (wrong size); fetching it again`);
  const progress = log.progress(`Downloading ${items.length} packages`, plan.bytes);
  let bytes = 0;
  // Files are verified in the download slots and made durable in a queue of their own (see stagePoolFile).
  const commits = new CommitQueue(Math.max(8, workers * 2));
  try {
    await mapLimit(items, workers, async ({ c, replace }) => {
      const where = redactUrl(c.url.href);
      let mismatches = 0;
      let counted = 0;
      await commits.room();
      const staged = await client.withRetries(where, async () => {
        progress.tick(-counted);
        counted = 0;
        const { stream } = await client.open(c.url);
        try {
          return await stagePoolFile(layout, c.fileName, { checksumType: c.checksumType, digest: c.digest, size: c.size }, stream, where, (k) => {
            counted += k;
            progress.tick(k);
          }, replace);
        } catch (e) {
          // A mismatch may be a flaky proxy or a mirror caught mid-update: one more full try, then give up.
          const code = (e as { code?: string }).code;
          if ((code === 'E_CHECKSUM_MISMATCH' || code === 'E_SIZE_MISMATCH') && mismatches++ === 0) {
            Object.assign(e as object, { data: { ...((e as { data?: object }).data ?? {}), transient: true } });
          }
          throw e;
        }
      });
      commits.add(staged);
      bytes += staged.size;
    });
  } finally {
    // Whatever failed, every file staged so far is committed (it is verified) before the sync goes on.
    await commits.drain();
  }
  progress.done(`Downloaded ${items.length} packages (${bytes} bytes)`);
  return { count: items.length, bytes };
}

/**
 * Commits staged pool files at most `limit` at a time. `room()` waits while the queue is full, so
 * downloads cannot run ahead of the disk by more than that; `drain()` waits for every commit and throws the
 * first failure.
 */
class CommitQueue {
  private readonly running = new Set<Promise<void>>();
  private failure: unknown;

  constructor(private readonly limit: number) {}

  async room(): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    if (this.failure) throw this.failure;
  }

  add(staged: StagedPoolFile): void {
    const p: Promise<void> = staged
      .commit()
      .catch((e: unknown) => {
        this.failure ??= e;
      })
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.race(this.running);
    if (this.failure) throw this.failure;
  }
}
