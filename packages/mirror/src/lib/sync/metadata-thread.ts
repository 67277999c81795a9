import { HASH_THREAD_MIN_PACKAGES, OpenHashThread, preloadFilesOf, type ChunkIndex } from '@ovirt-repo/core';
import { snapshotDir, type StoreLayout } from '../store/layout.js';
import { readMetadataChunks } from '../store/metadata-chunks.js';
import type { LatestSnapshot } from './context.js';

/** The latest snapshot's chunk index and a hashing thread already decompressing its chunks. */
export interface EarlyMetadata {
  index?: ChunkIndex;
  thread?: OpenHashThread;
}

/**
 * Started as soon as the latest snapshot is known, before the sources are even fetched: a new gz snapshot
 * of a large repo copies most chunks of the latest one, and repomd's open-checksum needs their content,
 * so a thread decompresses them while this one selects packages (see core's OpenHashThread). Nothing
 * here fails the sync: without an index or a thread the write does the same work itself, later.
 */
export async function startMetadataThread(
  layout: StoreLayout,
  repo: string,
  latest: LatestSnapshot,
  compression: string,
  minPackages = HASH_THREAD_MIN_PACKAGES,
): Promise<EarlyMetadata> {
  const packages = latest.record?.packages;
  if (!latest.id || !packages || compression !== 'gz' || packages.length < minPackages) return {};
  const dir = snapshotDir(layout, repo, latest.id);
  const index = await readMetadataChunks(dir, packages).catch(() => undefined);
  if (!index) return {};
  const thread = await OpenHashThread.start();
  thread?.preload(preloadFilesOf(dir, index));
  return { index, ...(thread ? { thread } : {}) };
}
