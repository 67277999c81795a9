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
  const byNevra = new Map<string, T>();
  if (input.mode === 'additive') for (const p of input.previous) byNevra.set(nevraKey(p), p);
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
  for (const p of fresh) byNevra.set(nevraKey(p), p);
  let selected = [...byNevra.values()];
  const keep = input.options.keepVersions ?? (input.mode === 'additive' ? 1 : undefined);
  if (keep !== undefined && !input.modular) {
    const kept = keepNewest(selected, keep);
    pruned += selected.length - kept.length;
    selected = kept;
  }
  selected.sort(
    (a, b) =>
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || (a.arch < b.arch ? -1 : a.arch > b.arch ? 1 : 0) || compareEvr(a, b),
  );
  return { selected, filteredOut, pruned };
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
