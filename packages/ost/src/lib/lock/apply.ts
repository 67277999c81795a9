import { insertionsBefore } from '../mirror-map/includes.js';
import type { MirrorMap } from '../mirror-map/types.js';
import { type RunLock } from '@ovirt-repo/core';

/**
 * The mirror map a lock records: exactly the URLs injected and the sections inserted when it was written,
 * so `inject --from-lock` turns the same input config into the same output.
 */
export function mirrorMapFromLock(lock: RunLock): MirrorMap {
  const map: MirrorMap = { repos: new Map(), before: new Map() };
  for (const entry of lock.entries) {
    if (entry.before === undefined) map.repos.set(entry.repo, entry.url);
    else insertionsBefore(map, entry.before).push({ repo: entry.repo, url: entry.url });
  }
  return map;
}

/** The entries recorded for repo id `repo` (injected or inserted), as publish --from-lock looks them up. */
export function lockEntriesFor(lock: RunLock, repo: string) {
  return lock.entries.filter((e) => e.repo === repo);
}
