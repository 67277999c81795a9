import { ErrorCodes, OvirtRepoError } from '@ovirt-repo/core';
import { indexedUrl, writeIndex } from '../index/write-index.js';
import type { SourceRepomd } from '../source/sources.js';
import { YUM_DIR, snapshotUrl } from '../store/layout.js';
import { publishSnapshot } from './commit/publish-snapshot.js';
import type { LatestSnapshot, SyncContext } from './context.js';
import type { SyncResult } from './options.js';
import { changed, type DownloadResult, type WrittenSnapshot } from './shared/result.js';
import type { WorkArea } from './shared/work-area.js';

/**
 * Stage 7, commit: the staged snapshot is published (see publishSnapshot: committed under its id, its
 * history record created on the snapshot it was built on, latest.txt moved to it), and the metadata cache
 * keeps only what the new latest snapshot uses. Undefined when another writer committed on the same
 * snapshot first: this one's snapshot is removed again, and the sync builds anew on the new head.
 */
export function commit(ctx: SyncContext, latest: LatestSnapshot, sources: readonly SourceRepomd[], written: WrittenSnapshot, downloaded: DownloadResult, area: WorkArea): Promise<SyncResult | undefined> {
  return ctx.timer.time('commit', async () => {
    if (!area.staging) throw new OvirtRepoError(ErrorCodes.INTERNAL, `internal: no staged write of ${ctx.repo}/${written.id} to commit`);
    ctx.commitAttempts++;
    if (!(await publishSnapshot(ctx.layout, ctx.repo, written.id, area.staging, latest.id, ctx.options.now))) {
      ctx.log.info(`Another writer committed a snapshot of ${ctx.repo} on ${latest.id ?? 'its empty history'} first; ${written.id} was not published`);
      return undefined;
    }
    area.staging = undefined;
    // The command prints the result; this is for -v.
    ctx.log.debug(`committed ${ctx.repo}/${written.id}: ${written.stats.packages} packages`);
    // Best effort: a cache only saves time.
    written.cache?.retainUsed();
    return changed(ctx, latest, sources, written, downloaded);
  });
}

/**
 * After the writer lock is released: the store's index (under its own lock) names the latest snapshot,
 * rewritten when this sync published one or the index does not name the latest one yet (`writeIndex`
 * false, or a dry run: left as it is).
 */
export async function updateIndex(ctx: SyncContext, result: SyncResult): Promise<SyncResult> {
  if (ctx.dryRun || !(ctx.options.writeIndex ?? true)) return result;
  const expected = result.snapshot ? snapshotUrl(ctx.baseUrl, ctx.repo, result.snapshot) : undefined;
  if (!result.changed && (!expected || (await indexedUrl(ctx.layout, ctx.repo)) === expected)) return result;
  try {
    await ctx.timer.time('writeIndex', () => writeIndex(ctx.layout, { baseUrl: ctx.baseUrl, staleAfterMs: ctx.options.staleAfterMs, logger: ctx.log }));
  } catch (e) {
    throw new OvirtRepoError(ErrorCodes.STORE, `snapshot ${ctx.repo}/${result.snapshot} is published, but the index could not be written: ${(e as Error).message}`, {
      target: ctx.layout.locationOf(YUM_DIR),
      hint: 'run `ovirt-repo index write` once the problem is fixed',
      cause: e,
    });
  }
  return { ...result, indexWritten: true };
}
