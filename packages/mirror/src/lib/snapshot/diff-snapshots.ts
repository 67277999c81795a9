import { compareEvr, formatEvr, type Store } from '@ovirt-repo/core';
import { validateRepoName } from '../store/names.js';
import type { SnapshotPackage } from '../store/snapshot-record.js';
import { loadSnapshot, resolveSnapshotId } from './show-snapshot.js';

export interface DiffEntry {
  name: string;
  arch: string;
  /** EVR in A (removed, changed) */
  from?: string;
  /** EVR in B (added, changed) */
  to?: string;
}

export interface DiffResult {
  repo: string;
  from: string;
  to: string;
  added: DiffEntry[];
  removed: DiffEntry[];
  upgraded: DiffEntry[];
  downgraded: DiffEntry[];
  /** Same EVR, different file (a rebuild with the same NEVRA). */
  rebuilt: DiffEntry[];
  unchanged: number;
}

/**
 * Compare two snapshots by name.arch. When a name.arch has several versions (keep-versions, modular
 * repos), versions only in A count as removed and versions only in B as added; an EVR on both sides whose
 * builds (files) differ is rebuilt.
 */
export async function diffSnapshots(store: Store, repo: string, a: string, b: string): Promise<DiffResult> {
  validateRepoName(repo);
  const from = await resolveSnapshotId(store, repo, a);
  const to = await resolveSnapshotId(store, repo, b);
  const [ra, rb] = await Promise.all([loadSnapshot(store, repo, from), loadSnapshot(store, repo, to)]);
  return { repo, from, to, ...diffPackages(ra.packages, rb.packages) };
}

export function diffPackages(aPkgs: readonly SnapshotPackage[], bPkgs: readonly SnapshotPackage[]): Omit<DiffResult, 'repo' | 'from' | 'to'> {
  // A name.arch whose files are the same on both sides is unchanged, whatever its versions: only the
  // groups some file entered or left are compared. Snapshots that follow each other share nearly all
  // their files, so this is a pass over two href sets instead of grouping and comparing every package.
  const hrefsA = new Set(aPkgs.map((p) => p.href));
  const hrefsB = new Set(bPkgs.map((p) => p.href));
  const touched = new Set<string>();
  for (const p of aPkgs) if (!hrefsB.has(p.href)) touched.add(groupKey(p));
  for (const p of bPkgs) if (!hrefsA.has(p.href)) touched.add(groupKey(p));
  let same = 0;
  for (const p of bPkgs) if (!touched.has(groupKey(p))) same++;
  const out = compareGroups(
    aPkgs.filter((p) => touched.has(groupKey(p))),
    bPkgs.filter((p) => touched.has(groupKey(p))),
  );
  out.unchanged += same;
  return out;
}

const groupKey = (p: SnapshotPackage) => `${p.name}.${p.arch}`;

function compareGroups(aPkgs: readonly SnapshotPackage[], bPkgs: readonly SnapshotPackage[]): Omit<DiffResult, 'repo' | 'from' | 'to'> {
  const group = (list: readonly SnapshotPackage[]) => {
    const m = new Map<string, SnapshotPackage[]>();
    for (const p of list) {
      const k = groupKey(p);
      const g = m.get(k);
      if (g) g.push(p);
      else m.set(k, [p]);
    }
    return m;
  };
  const ga = group(aPkgs);
  const gb = group(bPkgs);
  const out: Omit<DiffResult, 'repo' | 'from' | 'to'> = { added: [], removed: [], upgraded: [], downgraded: [], rebuilt: [], unchanged: 0 };
  const keys = [...new Set([...ga.keys(), ...gb.keys()])].sort();
  for (const k of keys) {
    const la = ga.get(k) ?? [];
    const lb = gb.get(k) ?? [];
    const first = la[0] ?? lb[0];
    if (!first) continue;
    const { name, arch } = first;
    const [pa, pb] = [la[0], lb[0]];
    if (la.length === 1 && lb.length === 1 && pa && pb) {
      const c = compareEvr(pb, pa);
      const e = { name, arch, from: formatEvr(pa), to: formatEvr(pb) };
      if (c > 0) out.upgraded.push(e);
      else if (c < 0) out.downgraded.push(e);
      else if (pa.digest !== pb.digest) out.rebuilt.push(e);
      else out.unchanged++;
      continue;
    }
    // Each EVR with the checksums of its builds (several files of one NEVRA are several packages).
    const evrs = (l: SnapshotPackage[]) => {
      const m = new Map<string, Set<string>>();
      for (const p of l) {
        const evr = formatEvr(p);
        const set = m.get(evr);
        if (set) set.add(p.digest);
        else m.set(evr, new Set([p.digest]));
      }
      return m;
    };
    const ea = evrs(la);
    const eb = evrs(lb);
    for (const [evr, da] of ea) {
      const db = eb.get(evr);
      if (!db) out.removed.push({ name, arch, from: evr });
      else if (db.size !== da.size || [...db].some((d) => !da.has(d))) out.rebuilt.push({ name, arch, from: evr, to: evr });
      else out.unchanged += db.size;
    }
    for (const evr of eb.keys()) if (!ea.has(evr)) out.added.push({ name, arch, to: evr });
  }
  return out;
}
