import { HASH_THREAD_MIN_PACKAGES, OpenHashThread, preloadFilesOf } from '@ovirt-repo/core';
import { snapshotDir, type StoreLayout } from '../store/layout.js';
import { readChunkPlaces } from '../store/metadata-chunks.js';
import { readLatest } from '../store/repo-state.js';

/**
 * Started as soon as the sync holds the repo's lock, before even the latest snapshot's record is read: a
 * new gz snapshot of a large repo copies most chunks of the latest one, and repomd's open-checksum needs
 * their content, so a thread decompresses them while this one reads the record and selects packages (see
 * core's OpenHashThread). Undefined (the write then does that work itself, later) for a new repo, other
 * compression, a latest snapshot of fewer than `minPackages` packages or without a chunk index.
 */
export async function startMetadataThread(layout: StoreLayout, repo: string, compression: string, minPackages = HASH_THREAD_MIN_PACKAGES): Promise<OpenHashThread | undefined> {
  if (compression !== 'gz') return undefined;
  const id = await readLatest(layout, repo);
  if (!id) return undefined;
  const dir = snapshotDir(layout, repo, id);
  const places = await readChunkPlaces(dir);
  if (!places || places.packages < minPackages) return undefined;
  const thread = await OpenHashThread.start();
  thread?.preload(preloadFilesOf(dir, places.index));
  return thread;
}
