import { ErrorCodes, OvirtRepoError } from '@ovirt-repo/core';
import { repoKey } from '../store/layout.js';
import { commit, updateIndex } from './commit.js';
import type { LatestSnapshot, SyncContext } from './context.js';
import { countDownloads, downloadMissing } from './download.js';
import { editedPackages, nothingChanged, workOutEdits } from './edits.js';
import type { SyncOptions, SyncResult } from './options.js';
import { prepare, withWriterLock } from './prepare.js';
import { readIncoming } from './read-incoming.js';
import { readLatest } from './read-latest.js';
import { readSources, signedAsAsked, sourcesUnchanged } from './read-sources.js';
import type { SourceRepomd } from '../source/sources.js';
import { repaired, unchanged, wouldChange } from './shared/result.js';
import { settleAll } from './shared/settle-all.js';
import { inWorkArea } from './shared/work-area.js';
import { writeSnapshot } from './write-snapshot.js';

/** Commit attempts one sync makes before it gives up (another writer committed first each time). */
export const MAX_COMMIT_ATTEMPTS = 10;

/**
 * `ovirt-repo mirror sync`: one pipeline for every sync, in both modes, a file per stage. Under the repo's
 * writer lock, the new snapshot is the latest one with edits made, built aside and published whole; or
 * nothing visible changes. A first sync is the same pipeline with nothing to build on. The lock only keeps
 * writers from wasting work: when another writer committed on the same latest snapshot first (its lock was
 * broken as stale), the sync builds again on the new head with the sources it read, until it commits.
 */
export async function syncRepo(options: SyncOptions): Promise<SyncResult> {
  const started = Date.now();
  const ctx = await prepare(options);
  const result = await withWriterLock(ctx, async () => {
    let latest = await readLatest(ctx);
    const sources = await readSources(ctx, latest);
    for (;;) {
      const done = await buildOn(ctx, latest, sources);
      if (done) return done;
      latest = await afterLostCommit(ctx);
    }
  });
  return { ...(await updateIndex(ctx, result)), durationMs: Date.now() - started };
}

/** One round: the new snapshot built on `latest` and committed; undefined when another writer committed on it first. */
function buildOn(ctx: SyncContext, latest: LatestSnapshot, sources: readonly SourceRepomd[]): Promise<SyncResult | undefined> {
  if (sourcesUnchanged(ctx, latest, sources)) return Promise.resolve(unchanged(ctx, latest, sources, 'sources unchanged'));
  return inWorkArea(ctx, async (area) => {
    const incoming = await readIncoming(ctx, latest, sources, area);
    const edits = await workOutEdits(ctx, latest, incoming);
    // Same content but not signed by this sync's key: a new snapshot, since the signature is part of it.
    const same = nothingChanged(edits) && signedAsAsked(ctx, latest);
    if (same && !ctx.checkPool) return unchanged(ctx, latest, sources, 'same packages and metadata as the latest snapshot');
    // A dry run stops here: what the downloads would fetch is counted, nothing is fetched or written.
    if (ctx.dryRun) {
      const downloads = await countDownloads(ctx, latest, edits);
      return same ? repaired(ctx, latest, sources, downloads) : wouldChange(ctx, latest, sources, editedPackages(latest, edits), downloads);
    }
    if (same) return repaired(ctx, latest, sources, await downloadMissing(ctx, latest, edits, area));
    const [downloaded, written] = await settleAll([downloadMissing(ctx, latest, edits, area), writeSnapshot(ctx, latest, sources, incoming, edits, area)]);
    return commit(ctx, latest, sources, written, downloaded, area);
  });
}

/** After a lost commit: a pause with jitter (so racing writers spread out), then the new head to build on. */
async function afterLostCommit(ctx: SyncContext): Promise<LatestSnapshot> {
  const lost = ctx.commitAttempts;
  if (lost >= MAX_COMMIT_ATTEMPTS) {
    throw new OvirtRepoError(ErrorCodes.CONFLICT, `mirror sync of ${ctx.repo}: another writer committed first ${lost} times in a row; nothing was published by this run`, {
      target: ctx.layout.locationOf(repoKey(ctx.repo)),
      hint: 'retry it. Writers of one repo normally take turns on its lock; so many lost commits mean several writers held it at once (their locks judged stale: see whether hosts were paused or their clocks disagree)',
    });
  }
  const pauseMs = Math.min(5_000, 100 * 2 ** (lost - 1)) * (0.5 + Math.random());
  ctx.log.info(`Commit attempt ${lost} of ${ctx.repo} lost to another writer; building again on the new head in ${Math.round(pauseMs)} ms`);
  await new Promise((r) => setTimeout(r, pauseMs));
  return readLatest(ctx);
}
