import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncPath, ioError, writeNewFileDurably, writeRepodata, type ExtraRecord, type OpenHashThread } from '@ovirt-repo/core';
import { summarizeSnapshot } from '../snapshot/summarize-snapshot.js';
import { SNAPSHOT_POOL_LINK, SNAPSHOT_POOL_TARGET, SNAPSHOT_RECORD, SNAPSHOT_SUMMARY } from '../store/layout.js';
import { writeMetadataChunks } from '../store/metadata-chunks.js';
import type { SnapshotPackage, SnapshotRecord } from '../store/snapshot-record.js';
import type { Candidate } from './candidates.js';
import { joinSelectedPackages, type OriginMetadata } from './join-packages.js';
import type { PreviousMetadata } from './previous-entries.js';

export interface WriteSnapshotInput {
  /** The snapshot being built, under a temp name in the repo directory. */
  stagingDir: string;
  inputs: readonly OriginMetadata[];
  selected: readonly Candidate[];
  extras: ExtraRecord[];
  compression: 'gz' | 'xz' | 'zstd';
  /** snapshot.json without repomdSha256 (known once repomd.xml is written). */
  record: Omit<SnapshotRecord, 'repomdSha256'>;
  /** The latest snapshot's metadata, reused for the packages it already listed. */
  previous?: PreviousMetadata;
  /** A thread hashing the gz metadata's content, started (and closed) by the caller (see metadata-thread.ts). */
  hashThread?: OpenHashThread;
  /** The latest snapshot this one follows (for summary.json's changes); undefined for a repo's first. */
  base?: { id: string; packages: readonly SnapshotPackage[] };
}

/**
 * Build a complete snapshot directory aside: repodata/ (primary/filelists/other streamed from the
 * sources with hrefs into the pool, extra metadata copied and verified, repomd.xml last), the relative
 * `pool` symlink, snapshot.json, summary.json (counts and changes for status pages) and, for gz metadata,
 * metadata-chunks.json; everything fsynced, so the rename that publishes it is durable.
 * No package file is copied: the cost depends on the number of packages, not their bytes.
 */
export interface WrittenSnapshot {
  record: SnapshotRecord;
  /** Chunks of its gz metadata, and how many were copied from the latest snapshot's. */
  metadataChunks?: { total: number; reused: number; threaded: boolean };
}

export async function writeSnapshotMetadata(input: WriteSnapshotInput): Promise<WrittenSnapshot> {
  const dir = input.stagingDir;
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw ioError('create snapshot directory', dir, e);
  }
  // The files inside are written in place: the directory is published whole by one rename, after all of it
  // is fsynced. summary.json does not depend on the metadata, so it is written while that is.
  const summaryWritten = writeNewFileDurably(join(dir, SNAPSHOT_SUMMARY), `${JSON.stringify(summarizeSnapshot(input.record, input.base), null, 1)}\n`);
  summaryWritten.catch(() => undefined);
  const repodata = join(dir, 'repodata');
  const summary = await writeRepodata({
    repoDir: dir,
    outDir: repodata,
    packages: joinSelectedPackages(input.inputs, input.selected, input.previous),
    packageCount: new Set(input.selected.map((c) => c.poolHref)).size,
    checksumType: 'sha256',
    compression: input.compression,
    extraRecords: input.extras,
    fsync: true,
    // Chunked when gz (the default), so the next snapshot copies the chunks it shares with this one.
    ...(input.compression === 'gz'
      ? { chunked: { ...(input.previous?.reuse ? { reuse: input.previous.reuse } : {}), ...(input.hashThread ? { hashThread: input.hashThread } : {}) } }
      : {}),
  }).catch(async (e: unknown) => {
    // Settled before the caller removes the directory.
    await summaryWritten.catch(() => undefined);
    throw e;
  });
  try {
    await symlink(SNAPSHOT_POOL_TARGET, join(dir, SNAPSHOT_POOL_LINK));
  } catch (e) {
    throw ioError('create pool link', join(dir, SNAPSHOT_POOL_LINK), e);
  }
  const record: SnapshotRecord = { ...input.record, repomdSha256: summary.repomdChecksum.value };
  await Promise.all([
    summary.chunks ? writeMetadataChunks(dir, summary.chunks, record.packages) : undefined,
    writeNewFileDurably(join(dir, SNAPSHOT_RECORD), `${JSON.stringify(record, null, 1)}\n`),
    summaryWritten,
  ]);
  await fsyncPath(repodata);
  await fsyncPath(dir);
  return { record, ...(summary.chunks ? { metadataChunks: { total: summary.chunks.chunks.length, reused: summary.reusedChunks ?? 0, threaded: input.hashThread !== undefined } } : {}) };
}
