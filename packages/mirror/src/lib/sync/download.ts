import { registerPoolUser } from '../lock/pool-guard.js';
import type { SnapshotPackage } from '../store/snapshot-record.js';
import type { LatestSnapshot, SyncContext } from './context.js';
import { downloadToPool } from './download/download-to-pool.js';
import { planDownloads } from './download/plan-downloads.js';
import type { Edits } from './edits.js';
import { isCandidate, type Candidate } from './shared/candidates.js';
import type { DownloadResult } from './shared/result.js';
import { pauseForTest } from './shared/test-hooks.js';
import type { WorkArea } from './shared/work-area.js';

/**
 * Stage 5, downloadMissing: the packages the new snapshot takes that the latest one lacks are announced to
 * gc (before the pool is looked at, see pool-guard.ts), checked in the pool and fetched if missing. The
 * latest snapshot's packages are taken as present: gc keeps what a latest snapshot references, and it
 * stays latest until this sync publishes (it holds the repo's writer lock); `--check-pool` checks every
 * package of the new snapshot, and fetches again what is missing or damaged.
 */
export function downloadMissing(ctx: SyncContext, latest: LatestSnapshot, edits: Edits, area: WorkArea): Promise<DownloadResult> {
  return ctx.timer.time('downloadMissing', async () => {
    const { layout, repo, log } = ctx;
    const newcomers = edits.list.flatMap((e) => e.after.filter(isCandidate));
    area.registration = await registerPoolUser(
      layout,
      newcomers.map((c) => c.digest),
      { purpose: `mirror sync of ${repo}`, logger: log, staleAfterMs: ctx.options.staleAfterMs },
    );
    const plan = await planDownloads(layout, ctx.checkPool ? everyPackage(latest, edits) : newcomers);
    log.info(`Pool has ${plan.present} of ${plan.present + plan.fetch.length + plan.corrupt.length} packages; fetching ${plan.fetch.length + plan.corrupt.length} (${plan.bytes} bytes)`);
    const downloaded = await downloadToPool(layout, plan, ctx.client, ctx.workers, log);
    await pauseForTest('after-download');
    return downloaded;
  });
}

/**
 * Every package of the new snapshot, each as the sources offer it when they do (so a damaged pool file
 * can be fetched again), else as the latest snapshot lists it (origin -1: in additive mode, a package
 * only the latest snapshot had, which no source can restore).
 */
function everyPackage(latest: LatestSnapshot, edits: Edits): Candidate[] {
  const out: Candidate[] = [];
  const of = (p: SnapshotPackage | Candidate) => (isCandidate(p) ? p : (edits.fromSources.get(p.href) ?? latestCandidate(p)));
  let from = 0;
  const record = latest.record;
  const kept = (to: number) => {
    for (let i = from; i < to && record; i++) out.push(of(record.at(i)));
  };
  for (const e of edits.list) {
    kept(e.at);
    out.push(...e.after.map(of));
    from = e.end;
  }
  kept(record?.length ?? 0);
  return out;
}

/**
 * A package only the latest snapshot has, to check in the pool. Its only copy is that pool file, so when
 * the pool lacks it or holds it damaged nothing can restore it: planDownloads refuses it, naming it, and
 * its URL (the `store:` place of its pool href) is never fetched.
 */
function latestCandidate(p: SnapshotPackage): Candidate {
  const fileName = p.href.slice(p.href.lastIndexOf('/') + 1);
  return { ...p, origin: -1, poolHref: p.href, fileName, url: new URL(p.href, 'store:/') };
}
