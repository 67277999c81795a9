import { diffSelection, editSelection, keepNewest, keepOf, listOf, selectIncoming, selectionOrder, type PackageList, type SelectionEdit } from '../select/select-packages.js';
import type { SnapshotExtraMetadata, SnapshotPackage } from '../store/snapshot-record.js';
import type { LatestSnapshot, SyncContext } from './context.js';
import type { Incoming } from './read-incoming.js';
import { nevra } from '@ovirt-repo/core';
import { isCandidate, sameFile, snapshotPackageOf, type Candidate } from './shared/candidates.js';

/**
 * One name.arch group of the latest snapshot's packages, [at, end) of its record, replaced by `after` (in
 * selection order). In `after`, a package the latest snapshot lists (the very same file) is its
 * SnapshotPackage, so it keeps its entries there; a Candidate is a file the latest snapshot lacks.
 */
export type Edit = SelectionEdit<SnapshotPackage, Candidate>;

export interface Edits {
  /** Over the latest snapshot's packages, in the order of their places; none when nothing changes. */
  list: Edit[];
  /** Packages of the new snapshot. */
  count: number;
  /** The new snapshot's extra metadata differs from the latest's. */
  extrasChanged: boolean;
  /** The sources' packages the new snapshot takes, by pool href (mirror mode: all of its packages). */
  fromSources: ReadonlyMap<string, Candidate>;
}

/**
 * Stage 4, workOutEdits: what turns the latest snapshot's package list into the new one, group by group.
 * - additive: the packages that come in enter their name.arch group (a rebuild of a NEVRA replaces its
 *   builds there; the newest `--keep-versions` EVRs stay); only those groups are looked at, found by
 *   binary search in the record, unless the latest snapshot was made with other options: then every
 *   group is selected again (it may hold more versions than this sync keeps).
 * - mirror: the difference between the latest snapshot and the filtered sources, a merge walk of the two.
 * A first sync (or a latest snapshot without a record) is the same with an empty list.
 */
export function workOutEdits(ctx: SyncContext, latest: LatestSnapshot, incoming: Incoming): Promise<Edits> {
  return ctx.timer.time('workOutEdits', async () => {
    const picked = selectIncoming(incoming.candidates, ctx.selection, incoming.modular);
    const previous: PackageList<SnapshotPackage> = latest.record ?? listOf<SnapshotPackage>([]);
    const keep = keepOf(ctx.mode, ctx.selection, incoming.modular);
    let list: Edit[];
    let pruned = picked.pruned;
    let taken: readonly Candidate[];
    if (ctx.mode === 'additive') {
      const edited = editSelection(previous, picked.fresh, keep, sameFile, { everyGroup: latest.record?.head.optionsDigest !== ctx.optDigest });
      list = edited.edits;
      pruned += edited.pruned;
      taken = picked.fresh;
    } else {
      taken = keepNewest(picked.fresh, keep).sort(selectionOrder);
      pruned += picked.fresh.length - taken.length;
      list = diffSelection(previous, taken, sameFile);
    }
    for (const e of list) {
      const had = new Map(e.before.map((p) => [p.href, p]));
      e.after = e.after.map((p) => (isCandidate(p) && had.get(p.poolHref)) || p);
    }
    const count = list.reduce((n, e) => n + e.after.length - (e.end - e.at), previous.length);
    ctx.log.info(`Selected ${count} packages (${picked.filteredOut} filtered out, ${pruned} older versions dropped); ${list.length} name.arch groups changed`);
    const extras = incoming.extras.map((e) => ({ type: e.record.type, checksum: e.record.checksum.value }));
    return {
      list,
      count,
      extrasChanged: !latest.record || !sameExtras(extras, latest.record.head.extraMetadata),
      fromSources: new Map(taken.map((c) => [c.poolHref, c])),
    };
  });
}

/** What the edits change: the edited groups' packages before and after, and the new snapshot's stats and package files added and removed. */
export interface EditedPackages {
  before: SnapshotPackage[];
  after: SnapshotPackage[];
  stats: { packages: number; bytes: number };
  /** NEVRAs of the package files the new snapshot has that the latest one lacks, and the other way round (sorted). */
  added: string[];
  removed: string[];
}

/** The change the edits make to the latest snapshot (what write-snapshot writes, and a dry run reports). */
export function editedPackages(latest: LatestSnapshot, edits: Edits): EditedPackages {
  const before = edits.list.flatMap((e) => e.before);
  const after = edits.list.flatMap((e) => e.after.map(snapshotPackageOf));
  const had = new Set(before.map((p) => p.href));
  const has = new Set(after.map((p) => p.href));
  return {
    before,
    after,
    stats: { packages: edits.count, bytes: (latest.record?.head.stats.bytes ?? 0) - sizeOf(before) + sizeOf(after) },
    added: after.filter((p) => !had.has(p.href)).map(nevra).sort(),
    removed: before.filter((p) => !has.has(p.href)).map(nevra).sort(),
  };
}

const sizeOf = (list: readonly SnapshotPackage[]) => list.reduce((n, p) => n + p.size, 0);

/** Nothing to write: the same packages and extra metadata as the latest snapshot. */
export const nothingChanged = (edits: Edits): boolean => edits.list.length === 0 && !edits.extrasChanged;

function sameExtras(a: ReadonlyArray<Pick<SnapshotExtraMetadata, 'type' | 'checksum'>>, b: ReadonlyArray<Pick<SnapshotExtraMetadata, 'type' | 'checksum'>>): boolean {
  const key = (list: ReadonlyArray<Pick<SnapshotExtraMetadata, 'type' | 'checksum'>>) =>
    list
      .map((e) => `${e.type} ${e.checksum}`)
      .sort()
      .join('\n');
  return a.length === b.length && key(a) === key(b);
}
