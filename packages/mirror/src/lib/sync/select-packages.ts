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
  const filter = makeFilter(input.options);
  let filteredOut = 0;
  const incoming = new Map<string, T>();
  for (const p of input.incoming) {
    if (!filter(p)) {
      filteredOut++;
      continue;
    }
    incoming.set(nevraKey(p), p);
  }
  let pruned = 0;
  let fresh = [...incoming.values()];
  if (input.options.newestOnly && !input.modular) {
    const kept = keepNewest(fresh, 1);
    pruned += fresh.length - kept.length;
    fresh = kept;
  }
  const keep = input.options.keepVersions ?? (input.mode === 'additive' ? 1 : undefined);
  if (input.mode === 'additive' && keep !== undefined && !input.modular && isSelectionOrder(input.previous, keep)) {
    const merged = mergeIntoSelection(input.previous, fresh, keep);
    return { selected: merged.selected, filteredOut, pruned: pruned + merged.pruned };
  }
  const byNevra = new Map<string, T>();
  if (input.mode === 'additive') for (const p of input.previous) byNevra.set(nevraKey(p), p);
  for (const p of fresh) byNevra.set(nevraKey(p), p);
  let selected = [...byNevra.values()];
  if (keep !== undefined && !input.modular) {
    const kept = keepNewest(selected, keep);
    pruned += selected.length - kept.length;
    selected = kept;
  }
  selected.sort(selectionOrder);
  return { selected, filteredOut, pruned };
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

/**
 * Additive selection when the previous packages are in selection order (isSelectionOrder): only the
 * name.arch groups the fresh packages touch are selected again, the rest is copied in slices. Gives the
 * same result as the general way, for a deploy of one build into a repo of tens of thousands of packages
 * at a fraction of its cost.
 */
function mergeIntoSelection<T extends Nevra>(previous: readonly T[], fresh: readonly T[], keep: number): { selected: T[]; pruned: number } {
  const touched = new Map<string, { at: number; end: number; group: T[] }>();
  for (const p of fresh) {
    const k = nameArch(p);
    let t = touched.get(k);
    if (!t) {
      const at = lowerBound(previous, p);
      let end = at;
      while (end < previous.length && compareNameArch(previous[end] as T, p) === 0) end++;
      touched.set(k, (t = { at, end, group: previous.slice(at, end) }));
    }
    // A rebuild with the same NEVRA takes the previous one's place, as in the general way's map.
    const same = t.group.findIndex((q) => nevraKey(q) === nevraKey(p));
    if (same >= 0) t.group[same] = p;
    else t.group.push(p);
  }
  const spans = [...touched.values()].sort((a, b) => a.at - b.at || compareNameArch(a.group[0] as T, b.group[0] as T));
  const selected: T[] = [];
  let pruned = 0;
  let from = 0;
  for (const s of spans) {
    for (let i = from; i < s.at; i++) selected.push(previous[i] as T);
    const kept = keepNewest(s.group, keep);
    pruned += s.group.length - kept.length;
    kept.sort(compareEvr);
    for (const p of kept) selected.push(p);
    from = s.end;
  }
  for (let i = from; i < previous.length; i++) selected.push(previous[i] as T);
  return { selected, pruned };
}

/** The first place in `sorted` (by name, arch) whose name.arch is not before p's. */
function lowerBound(sorted: readonly Nevra[], p: Nevra): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareNameArch(sorted[mid] as Nevra, p) < 0) lo = mid + 1;
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
