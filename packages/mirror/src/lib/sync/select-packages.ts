import { compareEvr } from '../select/evr.js';
import { makeFilter, type Nevra } from '../select/filters.js';
import type { SelectionOptions, SyncMode } from '../store/snapshot-record.js';

export interface SelectInput<T extends Nevra> {
  mode: SyncMode;
  /** Packages of the sources, in source order (a later source wins over an earlier one for one NEVRA). */
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

const nevraKey = (p: Nevra) => `${p.name}\0${p.epoch || '0'}\0${p.version}\0${p.release}\0${p.arch}`;
const nameArch = (p: Nevra) => `${p.name}\0${p.arch}`;

/**
 * Choose the packages of the new snapshot.
 * - mirror: the sources' packages after filters.
 * - additive: the previous snapshot's packages plus the sources' (after filters); for one NEVRA the source's
 *   build replaces the previous one; then the newest `keepVersions` (default 1) EVRs of each name.arch stay.
 * Filters apply to what comes in, not to what the previous snapshot already holds.
 */
export function selectPackages<T extends Nevra>(input: SelectInput<T>): SelectResult<T> {
  const { fresh, filteredOut, pruned } = selectIncoming(input.incoming, input.options, input.modular);
  const keep = input.options.keepVersions ?? (input.mode === 'additive' ? 1 : undefined);
  if (input.mode === 'additive' && keep !== undefined && !input.modular && isSelectionOrder(input.previous, keep)) {
    const edited = editSelection(listOf(input.previous), fresh, keep);
    return { selected: applyEdits(input.previous, edited.edits, (p) => p), filteredOut, pruned: pruned + edited.pruned };
  }
  const byNevra = new Map<string, T>();
  if (input.mode === 'additive') for (const p of input.previous) byNevra.set(nevraKey(p), p);
  for (const p of fresh) byNevra.set(nevraKey(p), p);
  let selected = [...byNevra.values()];
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
export function selectIncoming<T extends Nevra>(incoming: readonly T[], options: SelectionOptions, modular: boolean): { fresh: T[]; filteredOut: number; pruned: number } {
  const filter = makeFilter(options);
  let filteredOut = 0;
  const byNevra = new Map<string, T>();
  for (const p of incoming) {
    if (!filter(p)) {
      filteredOut++;
      continue;
    }
    byNevra.set(nevraKey(p), p);
  }
  const fresh = [...byNevra.values()];
  if (!options.newestOnly || modular) return { fresh, filteredOut, pruned: 0 };
  const kept = keepNewest(fresh, 1);
  return { fresh: kept, filteredOut, pruned: fresh.length - kept.length };
}

const compareNameArch = (a: Nevra, b: Nevra) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || (a.arch < b.arch ? -1 : a.arch > b.arch ? 1 : 0);
const selectionOrder = (a: Nevra, b: Nevra) => compareNameArch(a, b) || compareEvr(a, b);

/**
 * True when `packages` are already what selectPackages returns for them: in its order, without two equal
 * EVRs of a name.arch, at most `keep` of each. A previous additive snapshot made with the same options
 * is; checking costs a string comparison per package, far less than selecting them all again.
 */
export function isSelectionOrder(packages: readonly Nevra[], keep: number): boolean {
  let run = 1;
  for (let i = 1; i < packages.length; i++) {
    const a = packages[i - 1] as Nevra;
    const b = packages[i] as Nevra;
    const byName = compareNameArch(a, b);
    if (byName > 0) return false;
    if (byName < 0) {
      run = 1;
      continue;
    }
    if (++run > Math.max(1, keep) || compareEvr(a, b) >= 0) return false;
  }
  return true;
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
export function editSelection<P extends Nevra, F extends Nevra>(previous: PackageList<P>, fresh: readonly F[], keep: number): { edits: Array<SelectionEdit<P, F>>; pruned: number } {
  const touched = new Map<string, SelectionEdit<P, F>>();
  for (const p of fresh) {
    const k = nameArch(p);
    let t = touched.get(k);
    if (!t) {
      const at = lowerBound(previous, p);
      let end = at;
      while (end < previous.length && compareNameArch(previous.at(end), p) === 0) end++;
      const before: P[] = [];
      for (let i = at; i < end; i++) before.push(previous.at(i));
      touched.set(k, (t = { at, end, before, after: [...before] }));
    }
    // A rebuild with the same NEVRA takes the previous one's place, as in the general way's map.
    const same = t.after.findIndex((q) => nevraKey(q) === nevraKey(p));
    if (same >= 0) t.after[same] = p;
    else t.after.push(p);
  }
  let pruned = 0;
  for (const t of touched.values()) {
    const kept = keepNewest(t.after, keep);
    pruned += t.after.length - kept.length;
    t.after = kept.sort(compareEvr);
  }
  const edits = [...touched.values()].sort((a, b) => a.at - b.at || compareNameArch(a.after[0] as Nevra, b.after[0] as Nevra));
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

/** The newest `n` EVRs of every name.arch. */
export function keepNewest<T extends Nevra>(packages: readonly T[], n: number): T[] {
  const groups = new Map<string, T[]>();
  for (const p of packages) {
    const k = nameArch(p);
    const g = groups.get(k);
    if (g) g.push(p);
    else groups.set(k, [p]);
  }
  const out: T[] = [];
  for (const g of groups.values()) {
    g.sort((a, b) => compareEvr(b, a));
    out.push(...g.slice(0, Math.max(1, n)));
  }
  return out;
}
