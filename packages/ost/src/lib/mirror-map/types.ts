/** A repo section to add before another one, with the URL it reads from. */
export interface Insertion {
  repo: string;
  url: string;
}

/**
 * A mirror map with every include resolved and every URL absolute: what mirror_client's mirrors_from_uri
 * returns, with its `before:<section>` keys split out.
 */
export interface MirrorMap {
  /** Repo id (the `[section]` name) to the baseurl injected into it. */
  repos: Map<string, string>;
  /** Section name to the sections inserted before it, in order. */
  before: Map<string, Insertion[]>;
}

export function emptyMirrorMap(): MirrorMap {
  return { repos: new Map(), before: new Map() };
}

/** The map as the JSON/YAML object users write (repo keys, then `before:` keys), e.g. for --json output. */
export function mirrorMapToObject(map: MirrorMap): Record<string, string | Array<[string, string]>> {
  const out: Record<string, string | Array<[string, string]>> = {};
  for (const [repo, url] of map.repos) out[repo] = url;
  for (const [section, list] of map.before) out[`before:${section}`] = list.map((i) => [i.repo, i.url]);
  return out;
}
