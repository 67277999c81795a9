import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { ErrorCodes, fsyncPath, humanBytes, mapLimit, OvirtRepoError, plural, redactUrl, type Logger, type ReadClient, type Store } from '@ovirt-repo/core';
import { flushPool, stagePoolFile, type StagedPoolFile } from '../../store/pool.js';
import type { Candidate } from '../shared/candidates.js';
import type { DownloadResult } from '../shared/result.js';
import type { DownloadPlan } from './plan-downloads.js';

/**
 * Fetch the planned packages into the pool, `workers` at a time. Each file is streamed to a temp file
 * beside its final place, checked against the size and checksum from the source metadata, and only then
 * made durable and linked into the pool (see PoolCommitter); transient failures are retried with backoff,
 * restarting the file from zero. A download is cut off as soon as it is larger than the metadata says (a
 * larger Content-Length is refused before reading). The first permanent failure (404, checksum mismatch
 * after a retry) stops the sync before anything is published. When this returns, every downloaded file is
 * durable in the pool. `open` says where a package's bytes come from: by default its URL (gpgcheck.ts
 * passes the checked copy in the work area).
 */
export async function downloadToPool(
  layout: Store,
  plan: DownloadPlan,
  client: ReadClient,
  workers: number,
  log: Logger,
  open: (c: Candidate) => Promise<{ stream: Readable; size?: number }> = (c) => client.open(c.url),
): Promise<DownloadResult> {
  const items = [...plan.fetch.map((c) => ({ c, replace: false })), ...plan.corrupt.map((c) => ({ c, replace: true }))];
  if (items.length === 0) return { count: 0, bytes: 0 };
  for (const c of plan.corrupt) log.warn(`pool file ${c.poolHref} is damaged (wrong size); fetching it again`);
  const progress = log.progress('Downloading packages', items.length, plan.bytes);
  let bytes = 0;
  // Files are verified in the download slots and made durable in batches of their own (see stagePoolFile).
  const commits = new PoolCommitter(layout);
  try {
    await mapLimit(items, workers, async ({ c, replace }) => {
      const where = redactUrl(c.url.href);
      let mismatches = 0;
      let counted = 0;
      await commits.room();
      const staged = await client.withRetries(where, async () => {
        progress.tick(0, -counted);
        counted = 0;
        const { stream, size: announced } = await open(c);
        try {
          if (announced !== undefined && announced > c.size) {
            stream.destroy();
            throw announcedTooLarge(where, announced, c.size);
          }
          return await stagePoolFile(layout, c.fileName, { checksumType: c.checksumType, digest: c.digest, size: c.size }, stream, where, (k) => {
            counted += k;
            progress.tick(0, k);
          }, replace);
        } catch (e) {
          // A mismatch may be a flaky proxy or a mirror caught mid-update: one more full try, then give up.
          const code = (e as { code?: string }).code;
          if ((code === 'E_CHECKSUM_MISMATCH' || code === 'E_SIZE_MISMATCH') && mismatches++ === 0) {
            Object.assign(e as object, { data: { ...((e as { data?: object }).data ?? {}), transient: true } });
          }
          throw e;
        }
      });
      commits.add(staged);
      bytes += staged.size;
      progress.tick(1, 0);
    });
  } finally {
    // Whatever failed, every file staged so far is committed (it is verified) before the sync goes on.
    await commits.drain();
  }
  progress.done(`Downloaded ${plural(items.length, 'package')} (${humanBytes(bytes)})`);
  return { count: items.length, bytes };
}

export function announcedTooLarge(where: string, announced: number, size: number): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.SIZE_MISMATCH, `${where} has Content-Length ${announced}, more than the ${size} bytes its metadata promises; not downloaded`, {
    target: where,
    hint: 'the source changed under its metadata or the metadata is stale; retry later or regenerate the source repo',
    data: { expected: size, actual: announced },
  });
}

/** A batch is flushed when it holds this many files or bytes, whichever comes first. */
const BATCH_FILES = 256;
const BATCH_BYTES = 256 * 1024 * 1024;
/** Links (or, without syncfs, fsync + link + fsync) running at once within a batch. */
const COMMIT_PARALLELISM = 8;
/** Fewer files than this are fsynced one by one: cheaper than the two flushes (two processes) of a batch. */
const MIN_FLUSHED_BATCH = 8;

/**
 * Makes staged pool files durable and links them into place, a batch at a time, while downloads go on.
 * A batch costs one flush of the pool's filesystem (syncFileSystem: one journal commit) before its files
 * are linked, instead of an fsync of every file and of its directory, which on a disk with slow flushes
 * cost a fresh sync of small packages a quarter of its time. The links themselves are flushed by the next
 * batch's flush, and by one last flush in drain(). Where the filesystem cannot be flushed as a whole, and
 * for a batch of a few files (a re-sync's one new package), each file is fsynced, linked and its directory
 * fsynced, as writePoolFile does. Either way no file is linked before its bytes are on disk, and nothing
 * refers to a linked file before its link is.
 *
 * `room()` waits while one batch is being committed and another waits for it, so downloads cannot run
 * ahead of the disk by more than about three batches; `drain()` commits whatever is staged and throws the
 * first failure.
 */
class PoolCommitter {
  private batch: StagedPoolFile[] = [];
  private batchBytes = 0;
  /** Batches handed to flush() and not yet committed, oldest first; each waits for the one before. */
  private readonly inFlight: Promise<void>[] = [];
  /** Linked on the promise of a later filesystem flush (their directories, for the fallback). */
  private unflushedLinks: string[] = [];
  private failure: unknown;

  constructor(private readonly store: Store) {}

  async room(): Promise<void> {
    while (this.inFlight.length >= 2) await this.inFlight[0];
    if (this.failure) throw this.failure;
  }

  add(staged: StagedPoolFile): void {
    this.batch.push(staged);
    this.batchBytes += staged.size;
    if (this.batch.length >= BATCH_FILES || this.batchBytes >= BATCH_BYTES) this.flush();
  }

  async drain(): Promise<void> {
    this.flush();
    await Promise.all(this.inFlight);
    if (this.unflushedLinks.length > 0 && !this.failure) {
      await this.settle(async () => {
        if (await flushPool(this.store)) return;
        for (const dir of new Set(this.unflushedLinks.map((f) => dirname(f)))) await fsyncPath(dir);
      });
      this.unflushedLinks = [];
    }
    if (this.failure) throw this.failure;
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    const files = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    const done: Promise<void> = (this.inFlight.at(-1) ?? Promise.resolve())
      .then(() => this.settle(() => this.commitBatch(files)))
      .finally(() => this.inFlight.splice(this.inFlight.indexOf(done), 1));
    this.inFlight.push(done);
  }

  private async commitBatch(files: StagedPoolFile[]): Promise<void> {
    // After a failure the rest is still committed: every staged file is verified, and keeping it saves
    // the next sync a download. Only the flush that would promise their durability is skipped (drain).
    const synced = files.length >= MIN_FLUSHED_BATCH && (await flushPool(this.store));
    // Each file on its own: one that fails to link must not leave the others of its batch unlinked.
    await mapLimit(files, COMMIT_PARALLELISM, (f) => this.settle(() => f.commit({ synced })));
    if (synced) this.unflushedLinks.push(...files.map((f) => f.finalPath));
  }

  private async settle(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (e) {
      this.failure ??= e;
    }
  }
}
