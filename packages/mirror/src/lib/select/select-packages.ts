import { compareEvr } from '@ovirt-repo/core';
import type { SelectionOptions, SyncMode } from '../store/snapshot-record.js';
import { makeFilter, type Nevra } from './filters.js';

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
  /** In selection order (selectionOrder). */
  selected: T[];
  /** Incoming packages dropped by --arch/--include/--exclude. */
  filteredOut: number;
  /** Older versions dropped by --newest-only / --keep-versions (or by newer ones in additive mode). */
  pruned: number;
}

const nameArch = (p: Nevra) => `${p.name}\0${p.arch}`;

/**
 * The packages of a new snapshot, by the rules the sync's edits apply (see editSelection and
 * diffSelection, which make them one name.arch group at a time):
 * - mirror: the sources' packages after filters, every build of every NEVRA (`keepVersions` EVRs of each
 *   name.arch when set).
 * - additive: the previous snapshot's packages plus the sources' (after filters). The builds of a NEVRA that
 *   comes in replace the previous snapshot's builds of it (a rebuild replaces the build it rebuilds); every
 *   build that comes in is kept. Then the newest `keepVersions` (default 1) EVRs of each name.arch stay, with
 *   all their builds.
 * Filters apply to what comes in, not to what the previous snapshot already holds.
 */
export function selectPackages<T extends Build>(input: SelectInput<T>): SelectResult<T> {
  const { fresh, filteredOut, pruned } = selectIncoming(input.incoming, input.options, input.modular);
  const previous = inSelectionOrder(listOf(input.previous)) ? input.previous : [...input.previous].sort(selectionOrder);
  const keep = keepOf(input.mode, input.options, input.modular);
  const same = (a: T, b: T) => a.digest === b.digest;
  if (input.mode === 'additive') {
    const edited = editSelection(listOf(previous), fresh, keep, same, { everyGroup: true });
    return { selected: applyEdits(previous, edited.edits), filteredOut, pruned: pruned + edited.pruned };
  }
  const target = keepNewest(fresh, keep).sort(selectionOrder);
  return { selected: applyEdits(previous, diffSelection(listOf(previous), target, same)), filteredOut, pruned: pruned + fresh.length - target.length };
}

/** How many EVRs of each name.arch a snapshot keeps: all in a modular repo, and in mirror mode unless set. */
export function keepOf(mode: SyncMode, options: SelectionOptions, modular: boolean): number {
  if (modular) return Infinity;
  return options.keepVersions ?? (mode === 'additive' ? 1 : Infinity);
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

/** The order of a snapshot's packages, in its record and its metadata alike: a total order of files. */
export const selectionOrder = (a: Build, b: Build) => compareNameArch(a, b) || withinGroup(a, b);

/** Packages read by place: an array, or the lines of a snapshot.json parsed as they are asked for. */
export interface PackageList<T> {
  readonly length: number;
  at(i: number): T;
}

export const listOf = <T>(a: readonly T[]): PackageList<T> => ({ length: a.length, at: (i) => a[i] as T });

/** Whether `list` is in selection order, each file once. Costs every package's parse. */
export function inSelectionOrder(list: PackageList<Build>): boolean {
  for (let i = 1; i < list.length; i++) if (selectionOrder(list.at(i - 1), list.at(i)) >= 0) return false;
  return true;
}

/** previous[at, end) (`before`, one name.arch group) is to be replaced by `after`, in selection order. */
export interface SelectionEdit<P, F> {
  at: number;
  end: number;
  before: P[];
  after: Array<P | F>;
}

/** Whether `p` (of the previous list) and `f` (of the new) are the very same file. */
export type SameFile<P, F> = (p: P, f: P | F) => boolean;

/**
 * Additive selection onto `previous` (in selection order): the name.arch groups the fresh packages fall
 * into, found by binary search, selected again (the builds that come in replace the previous builds of
 * their EVRs; the newest `keep` EVRs stay); with `everyGroup` every group of `previous` too (for a previous
 * snapshot made with other options, which may hold more versions than `keep`). Everything else stays
 * where it is. Edits come in the order of their places; a group whose files stay the same is no edit.
 */
export function editSelection<P extends Build, F extends Build>(
  previous: PackageList<P>,
  fresh: readonly F[],
  keep: number,
  same: SameFile<P, F>,
  options: { everyGroup?: boolean } = {},
): { edits: Array<SelectionEdit<P, F>>; pruned: number } {
  const incoming = groupByNameArch(fresh);
  const groups: Array<{ at: number; end: number; incoming: readonly F[] }> = [];
  if (options.everyGroup) {
    for (let at = 0; at < previous.length; ) {
      const first = previous.at(at);
      const end = groupEnd(previous, at);
      groups.push({ at, end, incoming: incoming.get(nameArch(first)) ?? [] });
      incoming.delete(nameArch(first));
      at = end;
    }
  }
  for (const group of incoming.values()) {
    const at = lowerBound(previous, group[0] as F);
    groups.push({ at, end: groupEnd(previous, at, group[0] as F), incoming: group });
  }
  const edits: Array<SelectionEdit<P, F>> = [];
  let pruned = 0;
  for (const g of groups) {
    const before: P[] = [];
    for (let i = g.at; i < g.end; i++) before.push(previous.at(i));
    const all: Array<P | F> = [...withoutReplaced(before, g.incoming), ...g.incoming];
    const kept = keepNewest(all, keep).sort(withinGroup);
    pruned += all.length - kept.length;
    if (!sameFiles(before, kept, same)) edits.push({ at: g.at, end: g.end, before, after: kept });
  }
  edits.sort((a, b) => a.at - b.at || compareNameArch(a.after[0] ?? (a.before[0] as Nevra), b.after[0] ?? (b.before[0] as Nevra)));
  return { edits, pruned };
}

/**
 * Mirror selection: what turns `previous` into `target` (both in selection order), group by group (a merge
 * walk of the two lists); a group whose files stay the same is no edit.
 */
export function diffSelection<P extends Build, F extends Build>(previous: PackageList<P>, target: readonly F[], same: SameFile<P, F>): Array<SelectionEdit<P, F>> {
  const edits: Array<SelectionEdit<P, F>> = [];
  let i = 0;
  let j = 0;
  while (i < previous.length || j < target.length) {
    const p = i < previous.length ? previous.at(i) : undefined;
    const t = target[j];
    const first: Nevra = p === undefined ? (t as F) : t === undefined || compareNameArch(p, t) <= 0 ? p : t;
    const end = groupEnd(previous, i, first);
    let k = j;
    while (k < target.length && compareNameArch(target[k] as F, first) === 0) k++;
    const before: P[] = [];
    for (let x = i; x < end; x++) before.push(previous.at(x));
    const after = target.slice(j, k);
    if (!sameFiles(before, after, same)) edits.push({ at: i, end, before, after });
    i = end;
    j = k;
  }
  return edits;
}

/**
 * Whether `list` (in selection order) holds, in the name.arch group of `f`, a file that `same` calls `f`:
 * the test by which both selections above keep a package of the previous list rather than take `f`.
 */
export function hasInGroup<P extends Build, F extends Build>(list: PackageList<P>, f: F, same: SameFile<P, F>): boolean {
  for (let i = lowerBound(list, f); i < list.length && compareNameArch(list.at(i), f) === 0; i++) if (same(list.at(i), f)) return true;
  return false;
}

/**
 * `previous` with `edits` (from editSelection or diffSelection) made: the items of `previous` between the
 * edits as they are, each edit's packages in place of its group.
 */
export function applyEdits<P, F>(previous: readonly P[], edits: ReadonlyArray<SelectionEdit<P, F>>): Array<P | F> {
  const out: Array<P | F> = [];
  let from = 0;
  for (const e of edits) {
    for (let i = from; i < e.at; i++) out.push(previous[i] as P);
    out.push(...e.after);
    from = e.end;
  }
  for (let i = from; i < previous.length; i++) out.push(previous[i] as P);
  return out;
}

/** The builds of `previous` that no build of `fresh` replaces (same name.arch, an EVR rpm calls equal). */
function withoutReplaced<P extends Build>(previous: readonly P[], fresh: readonly Build[]): P[] {
  return previous.filter((p) => !fresh.some((f) => compareNameArch(f, p) === 0 && compareEvr(f, p) === 0));
}

function sameFiles<P, F>(before: readonly P[], after: ReadonlyArray<P | F>, same: SameFile<P, F>): boolean {
  return before.length === after.length && before.every((p, i) => same(p, after[i] as P | F));
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

/** Where the name.arch group of `of` (default: the package at `at`) that starts at `at` ends. */
function groupEnd(sorted: PackageList<Nevra>, at: number, of: Nevra = sorted.at(at)): number {
  let end = at;
  while (end < sorted.length && compareNameArch(sorted.at(end), of) === 0) end++;
  return end;
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
