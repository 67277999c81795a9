import { mapLimit, type Logger } from '@ovirt-repo/core';
import type { ReadClient } from '@ovirt-repo/core';
import { writePoolFile } from '../store/pool.js';
import { redactUrl } from '@ovirt-repo/core';
import type { StoreLayout } from '../store/layout.js';
import type { DownloadPlan } from './plan-downloads.js';

export interface DownloadResult {
  count: number;
  bytes: number;
}

/**
 * Fetch the planned packages into the pool, `workers` at a time. Each file is streamed to a temp file
 * beside its final place, checked against the size and checksum from the source metadata, and only then
 * linked into the pool; transient failures are retried with backoff, restarting the file from zero. The
 * first permanent failure (404, checksum mismatch after a retry) stops the sync before anything is published.
 */
export async function downloadToPool(layout: StoreLayout, plan: DownloadPlan, client: ReadClient, workers: number, log: Logger): Promise<DownloadResult> {
  const items = [...plan.fetch.map((c) => ({ c, replace: false })), ...plan.corrupt.map((c) => ({ c, replace: true }))];
  if (items.length === 0) return { count: 0, bytes: 0 };
  for (const c of plan.corrupt) log.warn(`pool file ${c.poolHref} is damaged (wrong size); fetching it again`);
  const progress = log.progress(`Downloading ${items.length} packages`, plan.bytes);
  let bytes = 0;
  await mapLimit(items, workers, async ({ c, replace }) => {
    const where = redactUrl(c.url.href);
    let mismatches = 0;
    let counted = 0;
    const n = await client.withRetries(where, async () => {
      progress.tick(-counted);
      counted = 0;
      const { stream } = await client.open(c.url);
      try {
        return await writePoolFile(layout, c.fileName, { checksumType: c.checksumType, digest: c.digest, size: c.size }, stream, where, (k) => {
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
    bytes += n;
  });
  progress.done(`Downloaded ${items.length} packages (${bytes} bytes)`);
  return { count: items.length, bytes };
}
