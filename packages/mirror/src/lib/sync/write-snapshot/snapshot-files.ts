import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncPath, ioError, makeDirectory, writeNewFileDurably, writeRepodata, type ExtraRecord, type OpenContentCache, type RepodataSummary, type WritableItem } from '@ovirt-repo/core';
import { SNAPSHOT_POOL_LINK, SNAPSHOT_POOL_TARGET, SNAPSHOT_RECORD, SNAPSHOT_SUMMARY } from '../../store/layout.js';
import { recordPieces } from '../../store/record-file.js';
import { layoutOf, type RecordHead, type SnapshotMetadataLayout } from '../../store/snapshot-record.js';
import type { SnapshotSummaryRecord } from '../../store/snapshot-summary.js';

export interface SnapshotFiles {
  /** The snapshot being built, under a temp name in the repo directory. */
  dir: string;
  /** The packages' metadata, in record order (whole chunks of the latest snapshot's, too). */
  packages: Iterable<WritableItem>;
  packageCount: number;
  extras: ExtraRecord[];
  compression: 'gz' | 'xz' | 'zstd';
  /** The content of gz metadata, kept between syncs for repomd's open-checksum. */
  cache?: OpenContentCache;
  /** snapshot.json but for what the metadata decides (repomdSha256, metadata), and its package lines. */
  head: Omit<RecordHead, 'repomdSha256' | 'metadata'>;
  lines: ReadonlyArray<string | Uint8Array>;
  summary: SnapshotSummaryRecord;
}

/**
 * Builds a complete snapshot directory aside: repodata/ (primary, filelists and other from `packages`,
 * extra metadata copied and verified, repomd.xml last), the relative `pool` symlink, snapshot.json (its
 * head naming repomd.xml's checksum and the metadata's layout) and summary.json (counts and changes for
 * status pages); everything fsynced, so the rename that publishes it is durable. No package file is
 * copied: the cost depends on the number of packages, not their bytes.
 */
export async function writeSnapshotFiles(input: SnapshotFiles): Promise<{ chunks?: { total: number; reused: number } }> {
  const { dir } = input;
  try {
    await makeDirectory(dir);
  } catch (e) {
    throw ioError('create snapshot directory', dir, e);
  }
  // The files inside are written in place: the directory is published whole by one rename, after all of it
  // is fsynced. summary.json does not depend on the metadata, so it is written while that is.
  const summaryWritten = writeNewFileDurably(join(dir, SNAPSHOT_SUMMARY), `${JSON.stringify(input.summary, null, 1)}\n`);
  summaryWritten.catch(() => undefined);
  try {
    const repodata = join(dir, 'repodata');
    const written = await writeRepodata({
      repoDir: dir,
      outDir: repodata,
      packages: input.packages,
      packageCount: input.packageCount,
      checksumType: 'sha256',
      compression: input.compression,
      extraRecords: input.extras,
      fsync: true,
      // gz (the default) in chunks, so the next snapshot copies the chunks it shares with this one.
      ...(input.compression === 'gz' ? { chunked: input.cache ? { cache: input.cache } : {} } : {}),
    });
    try {
      await symlink(SNAPSHOT_POOL_TARGET, join(dir, SNAPSHOT_POOL_LINK));
    } catch (e) {
      throw ioError('create pool link', join(dir, SNAPSHOT_POOL_LINK), e);
    }
    const head: RecordHead = { ...input.head, repomdSha256: written.repomdChecksum.value, metadata: metadataLayout(written, input.packageCount) };
    await Promise.all([writeNewFileDurably(join(dir, SNAPSHOT_RECORD), recordPieces(head, input.lines)), summaryWritten]);
    await fsyncPath(repodata);
    await fsyncPath(dir);
    return written.chunks ? { chunks: { total: written.chunks.chunks.length, reused: written.reusedChunks ?? 0 } } : {};
  } catch (e) {
    // Settled before the caller removes the directory.
    await summaryWritten.catch(() => undefined);
    throw e;
  }
}

/** The layout snapshot.json records: the chunks written, or (xz, zstd) one chunk spanning each whole file. */
function metadataLayout(written: RepodataSummary, packages: number): SnapshotMetadataLayout {
  if (written.chunks) return layoutOf(written.chunks);
  const file = (type: string) => {
    const r = written.records.find((x) => x.type === type);
    return { href: r?.location.href ?? '', checksum: r?.checksum.value ?? '', size: r?.size ?? 0, openSize: r?.openSize ?? 0 };
  };
  const [primary, filelists, other] = [file('primary'), file('filelists'), file('other')];
  const whole = (f: typeof primary) => [0, f.size, f.openSize] as const;
  return {
    files: { primary: { href: primary.href, checksum: primary.checksum, size: primary.size }, filelists: { href: filelists.href, checksum: filelists.checksum, size: filelists.size }, other: { href: other.href, checksum: other.checksum, size: other.size } },
    chunks: [[packages, whole(primary), whole(filelists), whole(other)]],
  };
}
