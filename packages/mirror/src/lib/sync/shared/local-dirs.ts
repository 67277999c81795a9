import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { isLocalFilesCapable, type Store } from '@ovirt-repo/core';
import { cacheKey, repoKey } from '../../store/layout.js';

/*
 * Where a sync keeps files on this machine: its work area and the metadata cache. A directory store keeps
 * them inside itself, as it always did (its LocalFilesCapable paths): the work area beside the repo's
 * snapshots, where a killed sync's is removed with the repo's leftovers, and the cache in
 * cache/<repo>/metadata, so existing stores keep theirs. Any other store gets this host's cache directory
 * for it, hostCacheDir.
 */

/**
 * This host's directory for a store that is not a directory here: `$XDG_CACHE_HOME` (default ~/.cache)
 * `/ovirt-repo/<digest of the store's scheme and location>`. Only a cache: deleting it changes no byte
 * of what a sync writes, only how long it takes.
 */
export function hostCacheDir(store: Store, env: NodeJS.ProcessEnv = process.env): string {
  // The XDG spec says a relative path there is invalid and to be ignored.
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.cache');
  return join(base, 'ovirt-repo', createHash('sha256').update(`${store.scheme}:${store.location}`).digest('hex').slice(0, 32));
}

/** The metadata cache of `repo` (core's OpenContentCache): cache/<repo>/metadata in a directory store, else on this host. */
export function metadataCacheDir(store: Store, repo: string): string {
  if (isLocalFilesCapable(store)) return store.localPath(`${cacheKey(repo)}/metadata`);
  return join(hostCacheDir(store), repo, 'metadata');
}

/**
 * Where the work area of a sync of `repo` goes: `shared` false, a temp name beside the repo's snapshots
 * (the store's leftover clean-up removes it); `shared` true, one directory on this host that whoever
 * holds the repo's writer lock empties and uses.
 */
export function workRoot(store: Store, repo: string): { dir: string; shared: boolean } {
  if (isLocalFilesCapable(store)) return { dir: join(store.localPath(repoKey(repo)), 'work'), shared: false };
  return { dir: join(hostCacheDir(store), repo, 'work'), shared: true };
}
