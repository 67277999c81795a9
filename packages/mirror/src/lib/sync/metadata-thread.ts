import { HASH_THREAD_MIN_PACKAGES, OpenHashThread, preloadFilesOf, type Logger } from '@ovirt-repo/core';
import type { Store } from '@ovirt-repo/core';
import { metadataCacheDir, snapshotDir } from '../store/layout.js';
import { readChunkPlaces } from '../store/metadata-chunks.js';
import { readLatest } from '../store/repo-state.js';

/**
 * The thread that hashes a large gz snapshot's metadata (core's OpenHashThread), one per sync at most.
 *
 * Started as soon as the sync holds the repo's lock, before even the latest snapshot's record is read, when
 * that snapshot is large: a new snapshot copies most of its chunks, and repomd's open-checksum needs their
 * content, so the thread gets it ready (from the repo's cache, else decompressed) while the sync reads the
 * record and selects packages. Otherwise started for the write itself, when it is as large (a repo's first
 * sync).
 *
 * The thread keeps the content of what it hashes in the repo's cache (`<store>/cache/<repo>/metadata/`),
 * so the next sync reads it back instead of decompressing it; the sync's writer lock covers the cache.
 */
export class MetadataThread {
  private thread: OpenHashThread | undefined;

  private constructor(
    private readonly layout: Store,
    private readonly repo: string,
    private readonly compression: string,
    private readonly minPackages: number,
  ) {}

  /** Starts the thread at once if the latest snapshot is gz-chunked and has at least `minPackages` packages. */
  static async forLatest(layout: Store, repo: string, compression: string, minPackages = HASH_THREAD_MIN_PACKAGES): Promise<MetadataThread> {
    const holder = new MetadataThread(layout, repo, compression, minPackages);
    if (compression !== 'gz') return holder;
    const id = await readLatest(layout, repo);
    if (!id) return holder;
    const dir = snapshotDir(layout, repo, id);
    const places = await readChunkPlaces(dir);
    if (!places || places.packages < minPackages) return holder;
    holder.thread = await holder.start();
    holder.thread?.preload(preloadFilesOf(dir, places.index));
    return holder;
  }

  /** The running thread (undefined before a write starts one, or where core is not built). */
  get current(): OpenHashThread | undefined {
    return this.thread;
  }

  /** The thread for a write of `packages` packages: the running one, or one started for a write this large. */
  async forWrite(packages: number): Promise<OpenHashThread | undefined> {
    if (!this.thread && this.compression === 'gz' && packages >= this.minPackages) this.thread = await this.start();
    return this.thread;
  }

  /** After a snapshot is published: the cache keeps its chunks only. Best effort. */
  async keepPublished(log: Logger): Promise<void> {
    await this.thread?.retainCache().catch((e: unknown) => log.warn(`could not prune the metadata cache of ${this.repo}: ${(e as Error).message}`));
  }

  async close(): Promise<void> {
    await this.thread?.close();
  }

  private start(): Promise<OpenHashThread | undefined> {
    return OpenHashThread.start({ cacheDir: metadataCacheDir(this.layout, this.repo) });
  }
}
