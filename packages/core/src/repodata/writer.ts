import { randomBytes } from 'node:crypto';
import { rename, rm, utimes, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { copyFileVerified, hashBuffer, type ChecksumType, type CompressedFileResult } from '../checksum/index.js';
import { compressionSuffix, type WritableCompressionKind } from '../compress/index.js';
import { ErrorCodes, OvirtRepoError, ioError } from '../errors/index.js';
import { makeDirectory } from '../fs/make-directory.js';
import { isCopiedChunk, isDeferredPackage, type ChunkIndex, type CopiedChunk, type DeferredPackage, type MetadataChunk } from './chunk-index.js';
import { writeChunkedBodies } from './chunked-bodies.js';
import { MemberFile } from './member-file.js';
import type { OpenContentCache } from './open-cache.js';
import type { PackageRecord } from './model.js';
import { DirectSink, SpoolSink, type MetadataSink, type SinkOptions } from './metadata-sink.js';
import { dumpPackage } from './package-dump.js';
import { isRenderedPackage, type RenderedPackage } from './package-entries.js';
import * as xml from './package-xml.js';
import { classifyRecord, type CoreRecordType, type Repomd, type RepomdRecord } from './repomd-model.js';
import { repomdXml, sortRecords } from './repomd-xml.js';
import { repomdTimes } from './reproducible.js';
import { assertMetadataHref } from './safe-href.js';

/** A record to carry into the new repomd.xml unchanged, with the file it describes. */
export interface ExtraRecord extends RepomdRecord {
  /** Where the file is now; defaults to `<repoDir>/<location.href>`. It is copied and verified. */
  sourcePath?: string;
}

export interface WriteRepodataOptions {
  /**
   * The repository root (contains, or will contain, repodata/). Extra records without a sourcePath are
   * copied from here. Default: the parent of outDir.
   */
  repoDir?: string;
  /** Where the metadata files go, typically a temporary directory later renamed to repodata/. */
  outDir: string;
  /**
   * Written in the order given: the caller sorts (createrepo_c orders by file name, then directory). A
   * RenderedPackage's entries are written as they are. An item may be an array of packages: a producer of
   * tens of thousands saves an async round trip per package that way.
   */
  packages: AsyncIterable<WritableItem> | Iterable<WritableItem>;
  /** For an iterable, saves spooling the bodies to learn the packages="N" count first. Arrays need none. */
  packageCount?: number;
  /** For repomd.xml checksums; package checksums are taken from the records. Default sha256. */
  checksumType?: ChecksumType;
  /** Default gz, as createrepo_c 0.17. */
  compression?: WritableCompressionKind;
  compressionLevel?: number;
  /** Default SOURCE_DATE_EPOCH, else the current Unix time. */
  revision?: string;
  /**
   * repomd <timestamp> of the new files (and their mtime when fixed). Default SOURCE_DATE_EPOCH, else
   * `revision` when it is a Unix time, else now.
   */
  timestamp?: number;
  extraRecords?: ExtraRecord[];
  /** repoid, contenthash, tags and unknown top-level elements to write into repomd.xml. */
  repomdExtras?: Pick<Repomd, 'repoid' | 'contenthash' | 'tags' | 'unknown'>;
  /** Environment to read SOURCE_DATE_EPOCH from; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** fsync every written file (default true), so renaming outDir into place publishes complete data. */
  fsync?: boolean;
  /**
   * When given, a package the XML cannot carry (control characters, bad numbers) is skipped and reported
   * here, as createrepo_c skips it with a log line. Without it such a package fails the whole write.
   */
  onInvalidPackage?: (error: OvirtRepoError, pkg: PackageRecord) => void;
  /**
   * Write primary, filelists and other as chunks of packages, one gzip member each (see chunk-index.ts):
   * a whole chunk of an earlier write given in the packages (CopiedChunk) is copied as it is where it
   * can be. Needs gz, a known package count and no onInvalidPackage. The summary's `chunks` then says where
   * each chunk is, for a later write to copy.
   * `cache`: where the content of members is kept between writes (repomd's open-checksum of a copied
   * member needs its content): see OpenContentCache. Without one, copied members are decompressed.
   */
  chunked?: { cache?: OpenContentCache };
}

/** DeferredPackage only with `chunked`. */
export type WritablePackage = PackageRecord | RenderedPackage | DeferredPackage;
/** CopiedChunk (a whole chunk of an earlier chunked write) only with `chunked`. */
export type WritableItem = WritablePackage | readonly WritablePackage[] | CopiedChunk;

const itemCount = (item: WritableItem): number => (Array.isArray(item) ? item.length : isCopiedChunk(item as object) ? (item as CopiedChunk).count : 1);

export interface RepodataSummary {
  outDir: string;
  repomdPath: string;
  /** Checksum (with checksumType) and size of repomd.xml. */
  repomdChecksum: { type: ChecksumType; value: string; size: number };
  revision: string;
  timestamp: number;
  packages: number;
  /** Every record of repomd.xml, in its order. */
  records: RepomdRecord[];
  /** Absolute paths of the files written or copied into outDir, repomd.xml last. */
  files: string[];
  /** With `chunked`: the chunks written, and how many of them were copied whole. */
  chunks?: ChunkIndex;
  reusedChunks?: number;
}

const FLUSH_BYTES = 1 << 20;
const HEADERS: Record<CoreRecordType, [(n: number) => string, string]> = {
  primary: [xml.primaryHeader, xml.PRIMARY_FOOTER],
  filelists: [xml.filelistsHeader, xml.FILELISTS_FOOTER],
  other: [xml.otherHeader, xml.OTHER_FOOTER],
};
const CORE: CoreRecordType[] = ['primary', 'filelists', 'other'];

/**
 * Writes primary, filelists and other XML (compressed, named `<checksum>-<type>.xml<ext>` as createrepo_c
 * does), carries `extraRecords` over, and writes repomd.xml last. Packages stream through: each is dumped
 * into the three compressors as it arrives, so memory does not grow with the repository.
 */
export async function writeRepodata(options: WriteRepodataOptions): Promise<RepodataSummary> {
  const checksumType = options.checksumType ?? 'sha256';
  const compression = options.compression ?? 'gz';
  const fsync = options.fsync ?? true;
  const { revision, timestamp, pinned } = repomdTimes(options);
  const outDir = resolve(options.outDir);
  const extras = options.extraRecords ?? [];
  for (const r of extras) checkExtraRecord(r);
  const known = options.onInvalidPackage
    ? undefined // skipping packages makes the count unknowable up front, so that mode always spools
    : Array.isArray(options.packages)
      ? (options.packages as readonly WritableItem[]).reduce<number>((n, item) => n + itemCount(item), 0)
      : options.packageCount;
  if (options.chunked) checkChunkable(compression, known, options);
  try {
    await makeDirectory(outDir);
  } catch (err) {
    throw ioError('create directory', outDir, err);
  }

  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmpOf = (type: CoreRecordType) => join(outDir, `.${type}.xml${compressionSuffix(compression)}.${tag}.tmp`);
  const bodies = options.chunked
    ? await chunkedBodies(options, known as number, tmpOf, checksumType, fsync)
    : streamedBodies(options, known, tmpOf, { compression, checksumType, level: options.compressionLevel, fsync });
  const created: string[] = [];
  try {
    const written = await bodies.write();
    if (known !== undefined && written.count !== known) {
      throw new OvirtRepoError(ErrorCodes.USAGE, `packageCount is ${known} but ${written.count} packages were given`, {
        hint: 'pass the exact count, or omit packageCount',
      });
    }
    const results = await bodies.finish(written.count);
    const records: RepomdRecord[] = [];
    for (const [type, result] of results) {
      const name = `${result.checksum.value}-${type}.xml${compressionSuffix(compression)}`;
      const final = join(outDir, name);
      await renameInto(result.path, final);
      created.push(final);
      records.push(coreRecord(type, name, result, timestamp));
    }
    for (const extra of extras) {
      const dest = join(outDir, extra.location.href.slice('repodata/'.length));
      if (await copyExtra(extra, options.repoDir ?? dirname(outDir), dest)) created.push(dest);
      records.push(stripSource(extra));
    }
    if (pinned) for (const f of created.slice(0, CORE.length)) await setTimes(f, timestamp);

    const body = repomdXml({ revision, records, ...options.repomdExtras });
    const repomdPath = join(outDir, 'repomd.xml');
    await writeAtomically(repomdPath, body, fsync);
    created.push(repomdPath);
    if (pinned) await setTimes(repomdPath, timestamp);
    const digest = hashBuffer(body, checksumType);
    return {
      outDir,
      repomdPath,
      repomdChecksum: { type: checksumType, value: digest.value, size: Buffer.byteLength(body) },
      revision,
      timestamp,
      packages: written.count,
      records: sortRecords(records),
      files: created,
      ...(written.chunks ? { chunks: chunkIndexOf(written.chunks, records), reusedChunks: written.reused ?? 0 } : {}),
    };
  } catch (err) {
    await bodies.abort();
    await Promise.all(created.map((f) => rm(f, { force: true })));
    throw err;
  }
}

/** The package bodies of the three files, written one way or the other. */
interface Bodies {
  write(): Promise<{ count: number; chunks?: MetadataChunk[]; reused?: number }>;
  finish(count: number): Promise<Array<readonly [CoreRecordType, CompressedFileResult]>>;
  abort(): Promise<void>;
}

function streamedBodies(options: WriteRepodataOptions, known: number | undefined, tmpOf: (t: CoreRecordType) => string, sinkOptions: SinkOptions): Bodies {
  const sinks = {} as Record<CoreRecordType, MetadataSink>;
  for (const type of CORE) {
    const [header, footer] = HEADERS[type];
    sinks[type] = known === undefined ? new SpoolSink(tmpOf(type), sinkOptions, header, footer) : new DirectSink(tmpOf(type), sinkOptions, header(known), footer);
  }
  return {
    write: async () => ({ count: await writeBodies(options.packages, sinks, options.onInvalidPackage) }),
    finish: (count) => Promise.all(CORE.map(async (type) => [type, await sinks[type].finish(count)] as const)),
    abort: async () => {
      await Promise.all(CORE.map((type) => sinks[type].abort()));
    },
  };
}

async function chunkedBodies(options: WriteRepodataOptions, known: number, tmpOf: (t: CoreRecordType) => string, checksumType: ChecksumType, fsync: boolean): Promise<Bodies> {
  const files = {} as Record<CoreRecordType, MemberFile>;
  try {
    for (const type of CORE) files[type] = await MemberFile.create(tmpOf(type), checksumType, fsync, options.chunked?.cache);
  } catch (err) {
    await Promise.all(Object.values(files).map((f) => f.abort()));
    throw err;
  }
  const headers = { primary: xml.primaryHeader(known), filelists: xml.filelistsHeader(known), other: xml.otherHeader(known) };
  const footers = { primary: xml.PRIMARY_FOOTER, filelists: xml.FILELISTS_FOOTER, other: xml.OTHER_FOOTER };
  return {
    write: () => writeChunkedBodies(options.packages, { files, headers, footers, level: options.compressionLevel }),
    finish: () => Promise.all(CORE.map(async (type) => [type, await files[type].end()] as const)),
    abort: async () => {
      await Promise.all(CORE.map((type) => files[type].abort()));
    },
  };
}

/** The packages of `items`, arrays unpacked. */
async function* flatten(items: AsyncIterable<WritableItem> | Iterable<WritableItem>): AsyncGenerator<WritablePackage> {
  for await (const item of items) {
    if (Array.isArray(item)) yield* item as readonly WritablePackage[];
    else if (isCopiedChunk(item as object)) {
      throw new OvirtRepoError(ErrorCodes.USAGE, 'a copied chunk can only be written as chunked metadata', { hint: 'pass `chunked` to writeRepodata, or give the packages one by one' });
    } else yield item as WritablePackage;
  }
}

function checkChunkable(compression: WritableCompressionKind, known: number | undefined, options: WriteRepodataOptions): void {
  const why = compression !== 'gz' ? `${compression} compression (only gzip files are read across members by every client)` : options.onInvalidPackage ? 'onInvalidPackage' : known === undefined ? 'an unknown package count' : undefined;
  if (why) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `chunked metadata cannot be written with ${why}`, {
      hint: 'write chunked metadata only as gz, with packageCount (or an array) and without onInvalidPackage',
    });
  }
}

function chunkIndexOf(chunks: MetadataChunk[], records: readonly RepomdRecord[]): ChunkIndex {
  const files = {} as Record<CoreRecordType, { href: string; checksum: string; size: number }>;
  for (const r of records) {
    if (classifyRecord(r.type) === 'core') files[r.type as CoreRecordType] = { href: r.location.href, checksum: r.checksum.value, size: r.size ?? 0 };
  }
  return { files, chunks };
}

async function writeBodies(
  packages: WriteRepodataOptions['packages'],
  sinks: Record<CoreRecordType, MetadataSink>,
  onInvalid: WriteRepodataOptions['onInvalidPackage'],
): Promise<number> {
  const pending: Record<CoreRecordType, string> = { primary: '', filelists: '', other: '' };
  const flush = () => Promise.all(CORE.map((type) => sinks[type].write(pending[type]))).then(() => {
    for (const type of CORE) pending[type] = '';
  });
  let count = 0;
  for await (const item of flatten(packages)) {
    const p = isDeferredPackage(item) ? await item.load() : item;
    let dumped: Readonly<Record<CoreRecordType, string>>;
    try {
      dumped = isRenderedPackage(p) ? p.rendered : dumpPackage(p);
    } catch (err) {
      if (!onInvalid || !(err instanceof OvirtRepoError) || isRenderedPackage(p)) throw err;
      onInvalid(err, p);
      continue;
    }
    for (const type of CORE) pending[type] += dumped[type];
    count++;
    if (pending.primary.length + pending.filelists.length + pending.other.length >= FLUSH_BYTES) await flush();
  }
  await flush();
  return count;
}

/**
 * A package's primary, filelists and other entries as writeRepodata writes them, checked the same way:
 * for callers that render packages elsewhere (worker threads) and hand the text to writeRepodata.
 */
export function renderPackage(p: PackageRecord): RenderedPackage {
  return { rendered: dumpPackage(p) };
}

function coreRecord(type: CoreRecordType, name: string, r: CompressedFileResult, timestamp: number): RepomdRecord {
  return {
    type,
    location: { href: `repodata/${name}` },
    checksum: { type: r.checksum.type, value: r.checksum.value },
    openChecksum: { type: r.openChecksum.type, value: r.openChecksum.value },
    timestamp,
    size: r.checksum.size,
    openSize: r.openChecksum.size,
  };
}

function checkExtraRecord(r: ExtraRecord): void {
  if (classifyRecord(r.type) === 'core') {
    throw new OvirtRepoError(ErrorCodes.USAGE, `extra record "${r.type}" would replace the one written from the packages`, {
      hint: 'pass only records other than primary, filelists and other in extraRecords',
    });
  }
  assertMetadataHref(r.location.href, r.type, 'extraRecords');
}

/** Copies (and verifies) an extra record's file into outDir; false when it already is the destination. */
async function copyExtra(extra: ExtraRecord, repoDir: string, dest: string): Promise<boolean> {
  const source = resolve(extra.sourcePath ?? join(repoDir, extra.location.href));
  if (source === resolve(dest)) return false;
  await makeDirectory(dirname(dest));
  try {
    await copyFileVerified(source, dest, { checksum: extra.checksum, size: extra.size });
  } catch (err) {
    if (err instanceof OvirtRepoError && err.code === ErrorCodes.IO) {
      throw new OvirtRepoError(ErrorCodes.IO, `cannot carry over the "${extra.type}" metadata: ${err.message}`, {
        target: source,
        cause: err,
        hint: err.hint ?? 'the source repository lacks a file its repomd.xml lists; fix or re-fetch it',
      });
    }
    throw err;
  }
  return true;
}

function stripSource(extra: ExtraRecord): RepomdRecord {
  const { sourcePath: _sourcePath, ...record } = extra;
  return record;
}

async function renameInto(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    throw ioError('rename', `${from} -> ${to}`, err);
  }
}

async function writeAtomically(path: string, content: string, fsync: boolean): Promise<void> {
  const tmp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, content, { flush: fsync });
  } catch (err) {
    await rm(tmp, { force: true });
    throw ioError('write', tmp, err);
  }
  await renameInto(tmp, path);
}

async function setTimes(path: string, seconds: number): Promise<void> {
  try {
    await utimes(path, seconds, seconds);
  } catch (err) {
    throw ioError('set times of', path, err);
  }
}
