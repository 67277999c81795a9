import { commit, updateIndex } from './commit.js';
import { downloadMissing } from './download.js';
import { nothingChanged, workOutEdits } from './edits.js';
import type { SyncOptions, SyncResult } from './options.js';
import { prepare, withWriterLock } from './prepare.js';
import { readIncoming } from './read-incoming.js';
import { readLatest } from './read-latest.js';
import { readSources, sourcesUnchanged } from './read-sources.js';
import { repaired, unchanged } from './shared/result.js';
import { settleAll } from './shared/settle-all.js';
import { inWorkArea } from './shared/work-area.js';
import { writeSnapshot } from './write-snapshot.js';

/**
 * `ovirt-repo mirror sync`: one pipeline for every sync, in both modes, a file per stage. Under the repo's
 * writer lock, the new snapshot is the latest one with edits made, built aside and published whole; or
 * nothing visible changes. A first sync is the same pipeline with nothing to build on.
 */
export async function syncRepo(options: SyncOptions): Promise<SyncResult> {
  const started = Date.now();
  const ctx = await prepare(options);
  const result = await withWriterLock(ctx, async (lock) => {
    const latest = await readLatest(ctx);
    const sources = await readSources(ctx, latest);
    if (sourcesUnchanged(ctx, latest, sources)) return unchanged(ctx, latest, sources, 'sources unchanged');
    return inWorkArea(ctx, async (area) => {
      const incoming = await readIncoming(ctx, latest, sources, area);
      const edits = await workOutEdits(ctx, latest, incoming);
      if (nothingChanged(edits) && !ctx.checkPool) return unchanged(ctx, latest, sources, 'same packages and metadata as the latest snapshot');
      if (nothingChanged(edits)) return repaired(ctx, latest, sources, await downloadMissing(ctx, latest, edits, area));
      const [downloaded, written] = await settleAll([downloadMissing(ctx, latest, edits, area), writeSnapshot(ctx, latest, sources, incoming, edits, area)]);
      return commit(ctx, lock, latest, sources, written, downloaded, area);
    });
  });
  return { ...(await updateIndex(ctx, result)), durationMs: Date.now() - started };
}
