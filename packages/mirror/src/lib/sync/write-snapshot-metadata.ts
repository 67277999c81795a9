import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  fsyncPath,
  ioError,
  startHeadLastFile,
  writeNewFileDurably,
  writeRepodata,
  type ChunkReuse,
  type CopiedChunk,
  type ExtraRecord,
  type FileRange,
  type OpenContentCache,
  makeDirectory,
} from '@ovirt-repo/core';
import { SNAPSHOT_POOL_LINK, SNAPSHOT_POOL_TARGET, SNAPSHOT_RECORD, SNAPSHOT_SUMMARY } from '../store/layout.js';
import { writeMetadataChunks, type RecordPlaces } from '../store/metadata-chunks.js';
import { recordBody, recordHead } from '../store/record-file.js';
import type { SnapshotRecord } from '../store/snapshot-record.js';
import type { SnapshotSummaryRecord } from '../store/snapshot-summary.js';
import type { JoinedItem } from './join-packages.js';

/** snapshot.json to write: every field but repomdSha256 (known once repomd.xml is) and the packages. */
export interface RecordToWrite {
  head: Omit<SnapshotRecord, 'repomdSha256' | 'packages'>;
  /** The packages in record order: lines (record-file.ts packageLine), or runs of an earlier record's (recordBody). */
  lines: ReadonlyArray<string | Uint8Array | FileRange>;
  /** Where each package is among them (for metadata-chunks.json). */
  places: RecordPlaces;
}

export interface WriteSnapshotInput {
  /** The snapshot being built, under a temp name in the repo directory. */
  stagingDir: string;
  /** The packages' metadata, in the order the files list them (whole chunks of the latest snapshot's, too). */
  packages: AsyncIterable<JoinedItem | CopiedChunk> | Iterable<JoinedItem | CopiedChunk>;
  packageCount: number;
  extras: ExtraRecord[];
  compression: 'gz' | 'xz' | 'zstd';
  /** Chunks of the latest snapshot's metadata the writer may copy (gz). */
  reuse?: ChunkReuse;
  /** Where the gz metadata's content is kept between syncs, for repomd's open-checksum (core OpenContentCache). */
  cache?: OpenContentCache;
  record: RecordToWrite;
  summary: SnapshotSummaryRecord;
}

export interface WrittenSnapshot {
  id: string;
  stats: SnapshotRecord['stats'];
  /** Chunks of its gz metadata, and how many were copied from the latest snapshot's. */
  metadataChunks?: { total: number; reused: number };
}

/**
 * Build a complete snapshot directory aside: repodata/ (primary/filelists/other from `packages`, extra
 * metadata copied and verified, repomd.xml last), the relative `pool` symlink, snapshot.json, summary.json
 * (counts and changes for status pages) and, for gz metadata, metadata-chunks.json; everything fsynced,
 * so the rename that publishes it is durable. No package file is copied: the cost depends on the number
 * of packages, not their bytes.
 */
export async function writeSnapshotMetadata(input: WriteSnapshotInput): Promise<WrittenSnapshot> {
  const dir = input.stagingDir;
  try {
    await makeDirectory(dir);
  } catch (e) {
    throw ioError('create snapshot directory', dir, e);
  }
  // The files inside are written in place: the directory is published whole by one rename, after all of it
  // is fsynced. summary.json does not depend on the metadata, so it is written while that is.
  const summaryWritten = writeNewFileDurably(join(dir, SNAPSHOT_SUMMARY), `${JSON.stringify(input.summary, null, 1)}\n`);
  summaryWritten.catch(() => undefined);
  // snapshot.json's body, most of it, is written while the metadata is; its head, which names repomd.xml's
  // checksum, last. A SHA-256 is always 64 hex digits, so the head's length is known now.
  const { record } = input;
  const headOf = (repomdSha256: string) => Buffer.from(recordHead({ ...record.head, repomdSha256 }));
  const recordFile = startHeadLastFile(join(dir, SNAPSHOT_RECORD), headOf('0'.repeat(64)).length, recordBody(record.lines));
  const repodata = join(dir, 'repodata');
  const chunked = input.compression === 'gz' ? { ...(input.reuse ? { reuse: input.reuse } : {}), ...(input.cache ? { cache: input.cache } : {}) } : undefined;
  try {
    const summary = await writeRepodata({
      repoDir: dir,
      outDir: repodata,
      packages: input.packages,
      packageCount: input.packageCount,
      checksumType: 'sha256',
      compression: input.compression,
      extraRecords: input.extras,
      fsync: true,
      // Chunked when gz (the default), so the next snapshot copies the chunks it shares with this one.
      ...(chunked ? { chunked } : {}),
    });
    try {
      await symlink(SNAPSHOT_POOL_TARGET, join(dir, SNAPSHOT_POOL_LINK));
    } catch (e) {
      throw ioError('create pool link', join(dir, SNAPSHOT_POOL_LINK), e);
    }
    await Promise.all([
      summary.chunks ? writeMetadataChunks(dir, summary.chunks, record.places) : undefined,
      recordFile.finish(headOf(summary.repomdChecksum.value)),
      summaryWritten,
    ]);
    await fsyncPath(repodata);
    await fsyncPath(dir);
    return {
      id: record.head.id,
      stats: record.head.stats,
      ...(summary.chunks ? { metadataChunks: { total: summary.chunks.chunks.length, reused: summary.reusedChunks ?? 0 } } : {}),
    };
  } catch (e) {
    // Settled before the caller removes the directory.
    await Promise.all([summaryWritten.catch(() => undefined), recordFile.abort()]);
    throw e;
  }
}
