import { humanBytes } from '@ovirt-repo/core';
import { registerPoolUser } from '../lock/pool-guard.js';
import type { SnapshotPackage } from '../store/snapshot-record.js';
import type { LatestSnapshot, SyncContext } from './context.js';
import { downloadToPool } from './download/download-to-pool.js';
import { checkPoolPackages, downloadChecked } from './download/gpgcheck.js';
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
 * package of the new snapshot, and fetches again what is missing or damaged. With --gpgcheck, what is
 * fetched is checked before it enters the pool, and the packages taken from the pool that the latest
 * snapshot did not vouch for with the same keys are checked there (see gpgcheck.ts).
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
    log.info(`Pool has ${plan.present} of ${plan.present + plan.fetch.length + plan.corrupt.length} packages; fetching ${plan.fetch.length + plan.corrupt.length} (${humanBytes(plan.bytes)})`);
    const check = ctx.verify?.packages ? { keys: ctx.verify.keys, env: ctx.verify.env } : undefined;
    const downloaded = check ? await downloadChecked(layout, plan, ctx.client, ctx.workers, log, check, area.dir) : await downloadToPool(layout, plan, ctx.client, ctx.workers, log);
    if (check) {
      const fetched = new Set([...plan.fetch, ...plan.corrupt].map((c) => c.poolHref));
      const vouched = sameKeys(latest.record?.head.gpgcheck?.keys, check.keys.fingerprints);
      const unchecked = uniqueByHref((vouched ? newcomers : everyPackage(latest, edits)).filter((c) => !fetched.has(c.poolHref)));
      if (unchecked.length > 0) log.info(`Checking the signatures of ${unchecked.length} packages taken from the pool`);
      await checkPoolPackages(layout, unchecked, check, area.dir);
    }
    await pauseForTest('after-download');
    return downloaded;
  });
}

/** Whether a snapshot's record says its packages were checked against exactly these keys. */
function sameKeys(recorded: readonly string[] | undefined, keys: readonly string[]): boolean {
  return recorded !== undefined && [...recorded].sort().join() === [...keys].sort().join();
}

function uniqueByHref(list: readonly Candidate[]): Candidate[] {
  return [...new Map(list.map((c) => [c.poolHref, c])).values()];
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
