import { compareEvr } from '@ovirt-repo/core';
import { makeFilter, type Nevra } from '../select/filters.js';
import type { SelectionOptions, SyncMode } from '../store/snapshot-record.js';

/**
 * A package to select: its NEVRA, and the checksum of its file, which tells builds apart. Several builds of
 * one NEVRA (signed and unsigned, rebuilt) are different files: dnf sees each, and so does a snapshot.
 */
export interface Build extends Nevra {
  digest: string;
}

export interface SelectInput<T extends Build> {
  mode: SyncMode;
  /** Packages of the sources, in source order (a file two sources list is taken once, from the later). */
  incoming: readonly T[];
  /** Additive mode: the packages of the previous latest snapshot. */
  previous: readonly T[];
  options: SelectionOptions;
  /** Modular repos keep every version: newest-only and keep-versions are not applied. */
  modular: boolean;
}

export interface SelectResult<T> {
  selected: T[];
  /** Incoming packages dropped by --arch/--include/--exclude. */
  filteredOut: number;
  /** Older versions dropped by --newest-only / --keep-versions (or by newer ones in additive mode). */
  pruned: number;
}

const nameArch = (p: Nevra) => `${p.name}\0${p.arch}`;

/**
 * Choose the packages of the new snapshot: builds, told apart by checksum, never by file name.
 * - mirror: the sources' packages after filters, every build of every NEVRA.
 * - additive: the previous snapshot's packages plus the sources' (after filters). The builds of a NEVRA that
 *   comes in replace the previous snapshot's builds of it (a rebuild replaces the build it rebuilds); every
 *   build that comes in is kept. Then the newest `keepVersions` (default 1) EVRs of each name.arch stay, with
 *   all their builds.
 * Filters apply to what comes in, not to what the previous snapshot already holds.
 */
export function selectPackages<T extends Build>(input: SelectInput<T>): SelectResult<T> {
  const { fresh, filteredOut, pruned } = selectIncoming(input.incoming, input.options, input.modular);
  const keep = input.options.keepVersions ?? (input.mode === 'additive' ? 1 : undefined);
  if (input.mode === 'additive' && keep !== undefined && !input.modular && isSelectionOrder(input.previous, keep)) {
    const edited = editSelection(listOf(input.previous), fresh, keep);
    return { selected: applyEdits(input.previous, edited.edits, (p) => p), filteredOut, pruned: pruned + edited.pruned };
  }
  let selected = input.mode === 'additive' ? [...withoutReplaced(input.previous, fresh), ...fresh] : fresh;
  let prunedAll = pruned;
  if (keep !== undefined && !input.modular) {
    const kept = keepNewest(selected, keep);
    prunedAll += selected.length - kept.length;
    selected = kept;
  }
  selected.sort(selectionOrder);
  return { selected, filteredOut, pruned: prunedAll };
}

/** The sources' packages after --arch/--include/--exclude and --newest-only: what comes in. */
export function selectIncoming<T extends Build>(incoming: readonly T[], options: SelectionOptions, modular: boolean): { fresh: T[]; filteredOut: number; pruned: number } {
  const filter = makeFilter(options);
  let filteredOut = 0;
  const byDigest = new Map<string, T>();
  for (const p of incoming) {
    if (!filter(p)) {
      filteredOut++;
      continue;
    }
    byDigest.set(p.digest, p);
  }
  const fresh = [...byDigest.values()];
  if (!options.newestOnly || modular) return { fresh, filteredOut, pruned: 0 };
  const kept = keepNewest(fresh, 1);
  return { fresh: kept, filteredOut, pruned: fresh.length - kept.length };
}

const compareNameArch = (a: Nevra, b: Nevra) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || (a.arch < b.arch ? -1 : a.arch > b.arch ? 1 : 0);
const compareDigest = (a: Build, b: Build) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0);
/** Name, arch, EVR (rpm's comparison), then checksum: builds of one EVR in a fixed order, whatever their file names. */
const withinGroup = (a: Build, b: Build) => compareEvr(a, b) || compareDigest(a, b);
const selectionOrder = (a: Build, b: Build) => compareNameArch(a, b) || withinGroup(a, b);

/**
 * True when `packages` are already what selectPackages returns for them: in its order, each file once, at
 * most `keep` EVRs of each name.arch. A previous additive snapshot made with the same options is; checking
 * costs a string comparison per package, far less than selecting them all again.
 */
export function isSelectionOrder(packages: readonly Build[], keep: number): boolean {
  let versions = 1;
  for (let i = 1; i < packages.length; i++) {
    const a = packages[i - 1] as Build;
    const b = packages[i] as Build;
    const byName = compareNameArch(a, b);
    if (byName > 0) return false;
    if (byName < 0) {
      versions = 1;
      continue;
    }
    const byEvr = compareEvr(a, b);
    if (byEvr > 0 || (byEvr === 0 && compareDigest(a, b) >= 0)) return false;
    if (byEvr < 0 && ++versions > Math.max(1, keep)) return false;
  }
  return true;
}

/** The builds of `previous` that no build of `fresh` replaces (same name.arch, an EVR rpm calls equal). */
function withoutReplaced<P extends Build>(previous: readonly P[], fresh: readonly Build[]): P[] {
  const incoming = groupByNameArch(fresh);
  return previous.filter((p) => !incoming.get(nameArch(p))?.some((f) => compareEvr(f, p) === 0));
}

/** Packages read by place: an array, or the lines of a snapshot.json parsed as they are asked for. */
export interface PackageList<T> {
  readonly length: number;
  at(i: number): T;
}

const listOf = <T>(a: readonly T[]): PackageList<T> => ({ length: a.length, at: (i) => a[i] as T });

/** previous[at, end) (`before`, one name.arch group) is to be replaced by `after`, in selection order. */
export interface SelectionEdit<P, F> {
  at: number;
  end: number;
  before: P[];
  after: Array<P | F>;
}

/**
 * Additive selection when the previous packages are in selection order (isSelectionOrder): only the
 * name.arch groups the fresh packages touch are selected again, found by binary search; everything else
 * stays where it is. Gives the same result as selecting everything again, for a deploy of one build into a
 * repo of tens of thousands of packages at a fraction of its cost. Edits come in the order of their places.
 */
export function editSelection<P extends Build, F extends Build>(previous: PackageList<P>, fresh: readonly F[], keep: number): { edits: Array<SelectionEdit<P, F>>; pruned: number } {
  const touched: Array<SelectionEdit<P, F>> = [];
  let pruned = 0;
  for (const incoming of groupByNameArch(fresh).values()) {
    const first = incoming[0] as F;
    const at = lowerBound(previous, first);
    let end = at;
    while (end < previous.length && compareNameArch(previous.at(end), first) === 0) end++;
    const before: P[] = [];
    for (let i = at; i < end; i++) before.push(previous.at(i));
    // As the general way: the builds that come in replace the previous builds of their EVRs.
    const all: Array<P | F> = [...withoutReplaced(before, incoming), ...incoming];
    const kept = keepNewest(all, keep);
    pruned += all.length - kept.length;
    touched.push({ at, end, before, after: kept.sort(withinGroup) });
  }
  const edits = touched.sort((a, b) => a.at - b.at || compareNameArch(a.after[0] as Nevra, b.after[0] as Nevra));
  return { edits, pruned };
}

/**
 * `previous` with `edits` (from editSelection) made: the items of `previous` between the edits as they
 * are, each package of an edit mapped by `of` (to the item type of `previous`, or to anything else).
 */
export function applyEdits<T, P, F>(previous: readonly T[], edits: ReadonlyArray<SelectionEdit<P, F>>, of: (p: P | F) => T): T[] {
  const out: T[] = [];
  let from = 0;
  for (const e of edits) {
    for (let i = from; i < e.at; i++) out.push(previous[i] as T);
    for (const p of e.after) out.push(of(p));
    from = e.end;
  }
  for (let i = from; i < previous.length; i++) out.push(previous[i] as T);
  return out;
}

/** The first place in `sorted` (by name, arch) whose name.arch is not before p's. */
function lowerBound(sorted: PackageList<Nevra>, p: Nevra): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareNameArch(sorted.at(mid), p) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The newest `n` EVRs of every name.arch (rpm's comparison), each with all its builds. */
export function keepNewest<T extends Nevra>(packages: readonly T[], n: number): T[] {
  const out: T[] = [];
  for (const g of groupByNameArch(packages).values()) {
    g.sort((a, b) => compareEvr(b, a));
    let versions = 0;
    for (let i = 0; i < g.length; i++) {
      if (i === 0 || compareEvr(g[i - 1] as T, g[i] as T) !== 0) versions++;
      if (versions > Math.max(1, n)) break;
      out.push(g[i] as T);
    }
  }
  return out;
}

function groupByNameArch<T extends Nevra>(packages: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const p of packages) {
    const k = nameArch(p);
    const g = groups.get(k);
    if (g) g.push(p);
    else groups.set(k, [p]);
  }
  return groups;
}
