import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ioError, mapLimit, signRepomd, writeRepodata, type ExtraRecord, type OpenContentCache, type RepodataSummary, type Signer, type StagedWrite, type WritableItem } from '@ovirt-repo/core';
import { SNAPSHOT_POOL_LINK, SNAPSHOT_POOL_TARGET, SNAPSHOT_PUBLIC_KEY, SNAPSHOT_RECORD, SNAPSHOT_REPOMD_SIGNATURE, SNAPSHOT_SUMMARY } from '../../store/layout.js';
import { recordStream } from '../../store/record-file.js';
import { layoutOf, type RecordHead, type SnapshotMetadataLayout, type SnapshotSignature } from '../../store/snapshot-record.js';
import type { SnapshotSummaryRecord } from '../../store/snapshot-summary.js';
import { pauseForTest } from '../shared/test-hooks.js';

/** Metadata files written into the store at once (repomd.xml comes after them all). */
const PARALLEL_WRITES = 4;

export interface SnapshotFiles {
  /** The snapshot being written: the store's staged write of its prefix. */
  staged: StagedWrite;
  /** A new directory of the sync's work area on this machine, where the metadata is made first. */
  localDir: string;
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
  /** Sign repomd.xml: the signature and the public key become part of the snapshot. */
  sign?: { signer: Signer; env: NodeJS.ProcessEnv };
}

/**
 * Writes a complete snapshot through the store's staged write: repodata/ (primary, filelists and other
 * from `packages`, extra metadata copied and verified; made in the work area by core's writer, then each
 * file written into the store, repomd.xml last), the relative `pool` link where the store has links,
 * snapshot.json (its head naming repomd.xml's checksum and the metadata's layout) and summary.json (counts
 * and changes for status pages). The store makes each durable; the caller's commit makes them visible
 * together. No package file is copied: the cost depends on the number of packages, not their bytes.
 */
export async function writeSnapshotFiles(input: SnapshotFiles): Promise<{ chunks?: { total: number; reused: number }; signature?: SnapshotSignature }> {
  const { staged } = input;
  // summary.json does not depend on the metadata, so it is written while that is made.
  const summaryWritten = staged.write(SNAPSHOT_SUMMARY, `${JSON.stringify(input.summary, null, 1)}\n`);
  summaryWritten.catch(() => undefined);
  try {
    const repodata = join(input.localDir, 'repodata');
    const written = await writeRepodata({
      repoDir: input.localDir,
      outDir: repodata,
      packages: input.packages,
      packageCount: input.packageCount,
      checksumType: 'sha256',
      compression: input.compression,
      extraRecords: input.extras,
      // A scratch copy: the store makes durable what is written into it.
      fsync: false,
      // gz (the default) in chunks, so the next snapshot copies the chunks it shares with this one.
      ...(input.compression === 'gz' ? { chunked: input.cache ? { cache: input.cache } : {} } : {}),
    });
    // Signed (and the signature checked) before anything of repodata/ is staged: a signer that fails
    // leaves nothing but the staged write, which the sync discards.
    const signature = input.sign ? await signSnapshot(staged, repodata, input.sign) : undefined;
    await writeRepodataFiles(staged, repodata);
    // A store without links has none: serve maps a snapshot's pool paths to the store's pool.
    if (staged.symlink) await staged.symlink(SNAPSHOT_POOL_LINK, SNAPSHOT_POOL_TARGET);
    const head: RecordHead = { ...input.head, repomdSha256: written.repomdChecksum.value, metadata: metadataLayout(written, input.packageCount), ...(signature ? { signature } : {}) };
    await Promise.all([staged.write(SNAPSHOT_RECORD, recordStream(head, input.lines)), summaryWritten]);
    return { ...(written.chunks ? { chunks: { total: written.chunks.chunks.length, reused: written.reusedChunks ?? 0 } } : {}), ...(signature ? { signature } : {}) };
  } catch (e) {
    // Settled before the caller discards the staged write.
    await summaryWritten.catch(() => undefined);
    throw e;
  }
}

/**
 * repodata/repomd.xml.asc and the public key it verifies against (RPM-GPG-KEY), staged with the rest of
 * the snapshot: both become visible with it, in its one commit.
 */
async function signSnapshot(staged: StagedWrite, repodata: string, sign: NonNullable<SnapshotFiles['sign']>): Promise<SnapshotSignature> {
  const repomd = join(repodata, 'repomd.xml');
  let bytes: Buffer;
  try {
    bytes = await readFile(repomd);
  } catch (e) {
    throw ioError('read', repomd, e);
  }
  const { signature, fingerprint } = await signRepomd(sign.signer, bytes, sign.env);
  await Promise.all([staged.write(SNAPSHOT_REPOMD_SIGNATURE, signature), staged.write(SNAPSHOT_PUBLIC_KEY, sign.signer.publicKey)]);
  await pauseForTest('after-sign');
  return { fingerprint, publicKey: SNAPSHOT_PUBLIC_KEY };
}

/** Every file core's writer made in `dir`, into `repodata/` of the staged write: repomd.xml last, as readers take it to mean the rest is there. */
async function writeRepodataFiles(staged: StagedWrite, dir: string): Promise<void> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (e) {
    throw ioError('list', dir, e);
  }
  const put = (name: string) => staged.write(`repodata/${name}`, createReadStream(join(dir, name)));
  await mapLimit(
    names.filter((n) => n !== 'repomd.xml'),
    PARALLEL_WRITES,
    put,
  );
  await put('repomd.xml');
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
