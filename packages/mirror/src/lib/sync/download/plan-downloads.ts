import { ErrorCodes, mapLimit, OvirtRepoError, type Store } from '@ovirt-repo/core';

const STAT_PARALLELISM = 16;
import { poolEntryStateAt } from '../../store/pool.js';
import type { Candidate } from '../shared/candidates.js';

export interface DownloadPlan {
  /** Packages the pool lacks (one per pool entry), to fetch. */
  fetch: Candidate[];
  /** Pool entries with the wrong size (damaged): fetched again and replaced. */
  corrupt: Candidate[];
  /** Already in the pool. */
  present: number;
  bytes: number;
}

/**
 * Which of these packages the pool lacks or holds damaged: a stat each (the caller passes only those the
 * latest snapshot lacks, unless the whole pool is to be checked). Creating a snapshot whose packages are
 * all in the pool copies nothing, so its cost does not grow with package bytes.
 */
export async function planDownloads(layout: Store, selected: readonly Candidate[]): Promise<DownloadPlan> {
  const unique = new Map<string, Candidate>();
  for (const c of selected) if (!unique.has(c.poolHref)) unique.set(c.poolHref, c);
  const plan: DownloadPlan = { fetch: [], corrupt: [], present: 0, bytes: 0 };
  // Several at once: on an object store each stat is a request.
  const candidates = [...unique.values()];
  const states = await mapLimit(candidates, STAT_PARALLELISM, (c) => poolEntryStateAt(layout, c.poolHref, c.size));
  for (const [i, c] of candidates.entries()) {
    const state = states[i];
    if (state === 'present') {
      plan.present++;
      continue;
    }
    if (c.origin < 0) {
      throw new OvirtRepoError(ErrorCodes.STORE, `the latest snapshot references ${c.poolHref}, which the pool ${state === 'missing' ? 'lacks' : 'holds damaged'}`, {
        target: c.poolHref,
        hint: 'the store was damaged (a pool file deleted by hand?); run `ovirt-repo snapshot verify` and re-sync the package from its build',
      });
    }
    (state === 'missing' ? plan.fetch : plan.corrupt).push(c);
    plan.bytes += c.size;
  }
  return plan;
}
