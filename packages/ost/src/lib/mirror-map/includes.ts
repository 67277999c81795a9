import type { Insertion, MirrorMap } from './types.js';

/**
 * Merge `included` into `base` as mirror_client's merge_mirrors does: a repo both maps name keeps the URL
 * of `base` (the including map wins); insertions before the same section are concatenated, those of
 * `base` first. Neither input is modified.
 */
export function mergeMirrorMaps(base: MirrorMap, included: MirrorMap): MirrorMap {
  const merged: MirrorMap = { repos: new Map(base.repos), before: new Map() };
  for (const [section, list] of base.before) merged.before.set(section, [...list]);
  mergeInto(merged, included);
  return merged;
}

/**
 * mergeMirrorMaps into `target` itself, in time linear in `included`: loading merges every include into
 * the map being built, and copying that map for each one would be quadratic.
 */
export function mergeInto(target: MirrorMap, included: MirrorMap): void {
  for (const [repo, url] of included.repos) if (!target.repos.has(repo)) target.repos.set(repo, url);
  for (const [section, list] of included.before) {
    const into = insertionsBefore(target, section);
    for (const insertion of list) into.push(insertion);
  }
}

/** The (mutable) list of insertions before `section`, made empty when there is none yet. */
export function insertionsBefore(map: MirrorMap, section: string): Insertion[] {
  let list = map.before.get(section);
  if (!list) map.before.set(section, (list = []));
  return list;
}

/**
 * The distro of a repo name: the part after its last dash (`ovirt-master-el8` → `el8`), the whole name
 * when it has none, as OST and mirror_client's mirrors_to_inserts read it.
 */
export function distroOf(repo: string): string {
  return repo.slice(repo.lastIndexOf('-') + 1);
}

/**
 * What `include:before: [[prefix, uri]]` does with the map read from `uri` (mirror_client's
 * mirrors_to_inserts): every repo `<name>-<distro>` becomes an insertion before section
 * `<prefix>-<distro>`, in repo-name order, after any insertions the included map already had.
 */
export function mirrorMapToInsertions(map: MirrorMap, prefix: string): MirrorMap {
  const out: MirrorMap = { repos: new Map(), before: new Map() };
  for (const [section, list] of map.before) out.before.set(section, [...list]);
  const repos = [...map.repos].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [repo, url] of repos) insertionsBefore(out, `${prefix}-${distroOf(repo)}`).push({ repo, url });
  return out;
}
