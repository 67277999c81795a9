import type { Insertion, MirrorMap } from './types.js';

/**
 * Merge `included` into `base` as mirror_client's merge_mirrors does: a repo both maps name keeps the URL
 * of `base` (the including map wins); insertions before the same section are concatenated, those of
 * `base` first.
 */
export function mergeMirrorMaps(base: MirrorMap, included: MirrorMap): MirrorMap {
  const repos = new Map(base.repos);
  for (const [repo, url] of included.repos) if (!repos.has(repo)) repos.set(repo, url);
  const before = new Map<string, Insertion[]>();
  for (const [section, list] of base.before) before.set(section, [...list]);
  for (const [section, list] of included.before) before.set(section, [...(before.get(section) ?? []), ...list]);
  return { repos, before };
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
  const before = new Map<string, Insertion[]>();
  for (const [section, list] of map.before) before.set(section, [...list]);
  const repos = [...map.repos].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [repo, url] of repos) {
    const target = `${prefix}-${distroOf(repo)}`;
    before.set(target, [...(before.get(target) ?? []), { repo, url }]);
  }
  return { repos: new Map(), before };
}
