import { compareEvr, nevra } from '@ovirt-repo/core';
import type { Generation, HistoryPackage, PublishHistory } from './history.js';
import { PACKAGES_DIR, REPODATA_DIR, REPOMD_ASC_PATH, REPOMD_PATH, packageStorageDir } from './layout.js';

const DAY_MS = 86_400_000;

/** What publish knows about one package of the source (or of the destination's live metadata). */
export interface PackageInfo {
  key: string;
  /** Where it is (or will be) stored on the destination. */
  href: string;
  name: string;
  arch: string;
  epoch: string;
  version: string;
  release: string;
  size: number;
}

export interface RetentionOptions {
  /** History packages that left the source within this many days stay listed. */
  keepDays: number;
  /** At most this many versions per name.arch (source packages always count and are always listed). */
  keepVersions?: number;
}

export interface PlanInput extends RetentionOptions {
  now: Date;
  /** The reconciled history (no pending generation). */
  history: PublishHistory;
  /** Keys the live repomd.xml lists; only these have records to list again. */
  liveKeys: ReadonlySet<string>;
  source: readonly PackageInfo[];
  /** False for history packages whose file is gone from the destination (they cannot be listed). */
  present?: (href: string) => boolean;
  /** The source's opaque metadata (comps, updateinfo, modules...) differs from the live generation's. */
  extrasChanged?: boolean;
}

export type ExclusionReason = 'expired' | 'keep-versions' | 'same-nevra-in-source' | 'same-nevra-newer-build' | 'file-missing' | 'not-live';

export interface PublishPlan {
  /** Whether a new generation (new repomd.xml) is needed at all. */
  changed: boolean;
  /** Keys of the new generation, source first then history, each group sorted. */
  listed: string[];
  fromSource: string[];
  fromHistory: string[];
  /** Listed now, not listed by the live generation. */
  added: string[];
  /** Listed by the live generation, not any more. */
  removed: string[];
  /** History packages not listed, and why. */
  excluded: Array<{ key: string; reason: ExclusionReason }>;
  /** The package table after the new generation (equal to the input's when unchanged). */
  packages: Record<string, HistoryPackage>;
}

/**
 * Decide what the next generation lists. Pure: the same input always gives the same plan.
 * - Every source package is listed.
 * - A history package (in the table, not in the source) is listed while it left the source at most
 *   keepDays ago, its file is present, the live generation lists it (so its full record is at hand), no
 *   source package has the same NEVRA, and — newest first per name.arch — the keepVersions bound allows.
 * - Nothing changes (no new generation) when the source set, the listed set and the opaque metadata are
 *   those of the live generation: publishing the same source twice writes nothing.
 */
export function planPublication(input: PlanInput): PublishPlan {
  const { history, now } = input;
  const nowIso = now.toISOString();
  const sourceKeys = new Set(input.source.map((p) => p.key));
  const sourceNevras = new Set(input.source.map((p) => nevra(p)));
  const perNameArch = new Map<string, number>();
  for (const p of input.source) perNameArch.set(`${p.name}.${p.arch}`, (perNameArch.get(`${p.name}.${p.arch}`) ?? 0) + 1);

  const excluded: PublishPlan['excluded'] = [];
  const candidates: Array<[string, HistoryPackage]> = [];
  for (const [key, p] of Object.entries(history.packages)) {
    if (sourceKeys.has(key)) continue;
    const leftAt = p.leftSource ? Date.parse(p.leftSource) : now.getTime();
    if (now.getTime() - leftAt >= input.keepDays * DAY_MS) excluded.push({ key, reason: 'expired' });
    else if (!input.liveKeys.has(key)) excluded.push({ key, reason: 'not-live' });
    else if (input.present && !input.present(p.href)) excluded.push({ key, reason: 'file-missing' });
    else if (sourceNevras.has(nevra(p))) excluded.push({ key, reason: 'same-nevra-in-source' });
    else candidates.push([key, p]);
  }
  // Newest first per name.arch; for two builds of one NEVRA the one published last wins.
  candidates.sort(([ka, a], [kb, b]) => compareEvr(b, a) || b.lastPublished.localeCompare(a.lastPublished) || (ka < kb ? -1 : 1));
  const fromHistory: string[] = [];
  const seenNevra = new Set<string>();
  for (const [key, p] of candidates) {
    const na = `${p.name}.${p.arch}`;
    if (seenNevra.has(nevra(p))) {
      excluded.push({ key, reason: 'same-nevra-newer-build' });
      continue;
    }
    const count = perNameArch.get(na) ?? 0;
    if (input.keepVersions !== undefined && count >= input.keepVersions) {
      excluded.push({ key, reason: 'keep-versions' });
      continue;
    }
    perNameArch.set(na, count + 1);
    seenNevra.add(nevra(p));
    fromHistory.push(key);
  }
  const fromSource = [...sourceKeys].sort();
  fromHistory.sort();
  const listed = [...fromSource, ...fromHistory];
  const listedSet = new Set(listed);
  const added = listed.filter((k) => !input.liveKeys.has(k));
  const removed = [...input.liveKeys].filter((k) => !listedSet.has(k)).sort();
  excluded.sort((a, b) => (a.key < b.key ? -1 : 1));

  const previousSource = Object.entries(history.packages).filter(([k, p]) => p.leftSource === undefined && input.liveKeys.has(k)).map(([k]) => k);
  const sameSource = previousSource.length === sourceKeys.size && previousSource.every((k) => sourceKeys.has(k));
  const changed = !(history.generations.length > 0 && sameSource && added.length === 0 && removed.length === 0 && !input.extrasChanged);
  if (!changed) return { changed, listed, fromSource, fromHistory, added, removed, excluded, packages: history.packages };

  const packages: Record<string, HistoryPackage> = {};
  for (const [key, p] of Object.entries(history.packages)) {
    // Not listed any more: keep the entry (the file stays while older metadata may name it) and start its
    // keep-days clock if it has just left the source.
    packages[key] = !listedSet.has(key) && p.leftSource === undefined ? { ...p, leftSource: nowIso } : { ...p };
  }
  for (const p of input.source) {
    const old = packages[p.key];
    packages[p.key] = {
      href: old?.href ?? p.href,
      name: p.name,
      arch: p.arch,
      epoch: p.epoch,
      version: p.version,
      release: p.release,
      size: p.size,
      firstPublished: old?.firstPublished ?? nowIso,
      lastPublished: nowIso,
    };
  }
  for (const key of fromHistory) {
    const p = packages[key];
    if (p) packages[key] = { ...p, lastPublished: nowIso, leftSource: p.leftSource ?? nowIso };
  }
  return { changed, listed, fromSource, fromHistory, added, removed, excluded, packages };
}

export interface PruneInput {
  now: Date;
  keepMetadataDays: number;
  /** The committed history: its last generation is the live one. */
  history: PublishHistory;
  /** Every file on the destination (path and size). */
  files: ReadonlyArray<{ path: string; size: number }>;
}

export interface Removal {
  /** File or directory to remove. */
  path: string;
  kind: 'package' | 'metadata' | 'leftover';
  bytes: number;
  /** Package key, for packages. */
  key?: string;
}

export interface PrunePlan {
  /** The history after pruning: generations still inside the metadata window, packages still needed. */
  history: PublishHistory;
  removals: Removal[];
}

/**
 * Decide what can go, now that the newest generation is live. A metadata file goes when no generation
 * superseded within keepMetadataDays (nor the live one) names it. A package goes when the live generation
 * does not list it and neither does any retained generation — i.e. it was last published before the
 * oldest retained generation. Files in packages/ and repodata/ that nothing names (uploads of a writer
 * killed before its repomd.xml went live, receiver temp files) go too; nothing else on the destination is
 * touched.
 */
export function planPrune(input: PruneInput): PrunePlan {
  const { history, now } = input;
  const gens = history.generations;
  const live = gens.at(-1);
  const retained: Generation[] = gens.filter((g, i) => i === gens.length - 1 || (g.supersededAt !== undefined && now.getTime() - Date.parse(g.supersededAt) < input.keepMetadataDays * DAY_MS));
  const oldest = retained.length ? Math.min(...retained.map((g) => Date.parse(g.publishedAt))) : Number.POSITIVE_INFINITY;
  const keepMetadata = new Set<string>([REPOMD_PATH, REPOMD_ASC_PATH, ...retained.flatMap((g) => g.metadata)]);
  const namedByDropped = new Set(gens.filter((g) => !retained.includes(g)).flatMap((g) => g.metadata));

  const removals: Removal[] = [];
  const packages: Record<string, HistoryPackage> = {};
  const keptHrefs = new Set<string>();
  for (const [key, p] of Object.entries(history.packages)) {
    if (live && Date.parse(p.lastPublished) >= oldest) {
      packages[key] = p;
      keptHrefs.add(p.href);
    } else {
      removals.push({ path: packageStorageDir(p.href) ?? p.href, kind: 'package', bytes: 0, key });
    }
  }
  const removedPaths = new Set(removals.map((r) => r.path));
  const keptDirs = new Set([...keptHrefs].map((h) => packageStorageDir(h)).filter((d): d is string => d !== undefined));
  for (const f of input.files) {
    const segments = f.path.split('/');
    const top = segments[0];
    if (top === REPODATA_DIR && !keepMetadata.has(f.path)) {
      removals.push({ path: f.path, kind: namedByDropped.has(f.path) ? 'metadata' : 'leftover', bytes: 0 });
    } else if (top === PACKAGES_DIR && !keptHrefs.has(f.path)) {
      const dir = packageStorageDir(f.path);
      const path = dir && !keptDirs.has(dir) ? dir : f.path;
      if (!removedPaths.has(path)) removals.push({ path, kind: 'leftover', bytes: 0 });
      removedPaths.add(path);
    } else if (top === '.ovirt-repo' && segments.length === 2 && segments[1]?.startsWith('.')) {
      // Temp files of an interrupted history write.
      removals.push({ path: f.path, kind: 'leftover', bytes: 0 });
    }
  }
  // Bytes freed per removal: a file's own size, or the sizes of the files in a package folder.
  const byPath = new Map(removals.map((r) => [r.path, r]));
  for (const f of input.files) {
    const owner = byPath.get(f.path) ?? byPath.get(packageStorageDir(f.path) ?? '');
    if (owner) owner.bytes += f.size;
  }
  const { removing: _removing, ...rest } = history;
  return { history: { ...rest, packages, generations: retained }, removals: dedupe(removals) };
}

function dedupe(removals: Removal[]): Removal[] {
  const byPath = new Map<string, Removal>();
  for (const r of removals) if (!byPath.has(r.path)) byPath.set(r.path, r);
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
}
