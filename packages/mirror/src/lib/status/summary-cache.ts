import { mapLimit, type Store } from '@ovirt-repo/core';
import { summariesCacheKey } from '../store/layout.js';
import { readSnapshotSummary, type SnapshotSummaryRecord } from '../store/snapshot-summary.js';

/*
 * The summaries of a repo's snapshots, kept together in cache/<repo>/summaries.json. A repo's status
 * page shows every snapshot, and reading a thousand summary.json files on every index write cost each
 * deploy about a quarter of a second. A summary never changes once its snapshot is published, and snapshot
 * ids are never used twice, so an entry holds as long as its snapshot is listed: entries of snapshots gc
 * removed are dropped, new snapshots' summaries read. Written only under the index lock (by
 * writeStatusPages); it may be deleted at any time.
 */

interface SummariesFile {
  format: 1;
  summaries: Record<string, SnapshotSummaryRecord>;
}

/**
 * The summary of each of `ids` (undefined for a snapshot without one), from the cache where it has them.
 * With `keep`, the cache is rewritten when it changed (the caller holds the index lock).
 */
export async function readSummaries(store: Store, repo: string, ids: readonly string[], keep: boolean): Promise<Map<string, SnapshotSummaryRecord | undefined>> {
  const { summaries: cached, version } = await readCached(store, repo);
  const out = new Map<string, SnapshotSummaryRecord | undefined>();
  const missing = ids.filter((id) => {
    const s = cached[id];
    if (s?.format === 1 && s.id === id) out.set(id, s);
    return !out.has(id);
  });
  const read = await mapLimit(missing, 16, (id) => readSnapshotSummary(store, repo, id));
  missing.forEach((id, i) => out.set(id, read[i]));
  const kept = Object.fromEntries(ids.flatMap((id) => (out.get(id) ? [[id, out.get(id) as SnapshotSummaryRecord]] : [])));
  if (keep && (read.some((s) => s !== undefined) || Object.keys(cached).length !== Object.keys(kept).length)) {
    const file: SummariesFile = { format: 1, summaries: kept };
    // Best effort: without it the next index write reads the files again.
    await store.replace(summariesCacheKey(repo), `${JSON.stringify(file)}\n`, version).catch(() => undefined);
  }
  return out;
}

/** The cached summaries (none when the file is missing or damaged), and the file's version to replace it. */
async function readCached(store: Store, repo: string): Promise<{ summaries: Record<string, SnapshotSummaryRecord | undefined>; version: string | null }> {
  const found = await store.read(summariesCacheKey(repo)).catch(() => undefined);
  try {
    const file = JSON.parse(found?.data.toString('utf8') ?? '') as Partial<SummariesFile>;
    return { summaries: file.format === 1 && file.summaries && typeof file.summaries === 'object' ? file.summaries : {}, version: found?.version ?? null };
  } catch {
    return { summaries: {}, version: found?.version ?? null };
  }
}
