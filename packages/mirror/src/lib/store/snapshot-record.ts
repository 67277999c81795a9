import { createHash } from 'node:crypto';
import { CORE_RECORD_TYPES, ErrorCodes, OvirtRepoError, sortedLinesDigest, type ChunkIndex, type CoreRecordType, type MemberSpan, type Store } from '@ovirt-repo/core';
import { SNAPSHOT_RECORD, snapshotKey } from './layout.js';

/** One package of a snapshot, as recorded in snapshot.json (its repodata is the authority for clients). */
export interface SnapshotPackage {
  name: string;
  epoch: string;
  version: string;
  release: string;
  arch: string;
  /** `pool/<dd>/<digest>/<file>.rpm`, relative to the snapshot (and to the store root). */
  href: string;
  checksumType: string;
  digest: string;
  size: number;
}

export interface SnapshotSource {
  /** The source as given (credentials removed). */
  url: string;
  /** How the base URL was found: given directly, or from a mirrorlist/metalink. */
  kind: 'baseurl' | 'mirrorlist' | 'metalink';
  /** The base URL actually used (a mirror from the list, for mirrorlist/metalink). */
  baseUrl: string;
  /** sha256 of the source's repomd.xml bytes: an unchanged source has the same one. */
  repomdSha256: string;
  revision?: string;
}

export interface SnapshotExtraMetadata {
  type: string;
  href: string;
  checksumType: string;
  checksum: string;
}

export type SyncMode = 'mirror' | 'additive';

/**
 * A signed snapshot: repodata/repomd.xml.asc verifies against the public key stored in the snapshot at
 * `publicKey` (SNAPSHOT_PUBLIC_KEY), whose primary key has this fingerprint.
 */
export interface SnapshotSignature {
  fingerprint: string;
  publicKey: string;
}

export interface SelectionOptions {
  arch?: string[];
  include?: string[];
  exclude?: string[];
  newestOnly?: boolean;
  keepVersions?: number;
}

/**
 * Where a snapshot's primary, filelists and other are, and the chunks of packages they hold. The packages
 * are in the same order in the three files and in the record (selection order), so chunk k holds the
 * `count` packages that follow chunk k-1's in the record. gz metadata is written in content-defined chunks
 * (core's chunk-index.ts), one gzip member each; xz and zstd metadata is one chunk spanning each whole file.
 */
export interface SnapshotMetadataLayout {
  files: Record<CoreRecordType, { href: string; checksum: string; size: number }>;
  /** Per chunk: [count, primary, filelists, other], a member given as [offset, size, openSize]. */
  chunks: Array<[number, MemberSpan, MemberSpan, MemberSpan]>;
}

/** snapshot.json: written inside the snapshot before it is published, never changed after. */
export interface SnapshotRecord {
  format: 1;
  repo: string;
  id: string;
  createdAt: string;
  /** The latest snapshot when this one was made. */
  parent?: string;
  mode: SyncMode;
  options: SelectionOptions;
  /** Digest of mode + options: a re-sync with other filters is never "unchanged". */
  optionsDigest: string;
  sources: SnapshotSource[];
  /** sha256 of this snapshot's own repodata/repomd.xml. */
  repomdSha256: string;
  /** Digest of the package set and extra metadata: equal digests mean identical content. */
  contentDigest: string;
  extraMetadata: SnapshotExtraMetadata[];
  modular: boolean;
  stats: { packages: number; bytes: number };
  /**
   * mirror sync --gpgcheck: the fingerprints of the keys every package's signature was checked against.
   * A later sync with the same keys checks only the packages this snapshot lacks.
   */
  gpgcheck?: { keys: string[] };
  /** Absent in snapshots made before it was recorded: their packages may be in another order than their metadata's. */
  metadata?: SnapshotMetadataLayout;
  /** Present when the snapshot is signed (mirror sync --sign-key / --sign-command). */
  signature?: SnapshotSignature;
  /**
   * Present when `snapshot promote` made it: the snapshot whose content it has (its repodata, signature and
   * key byte for byte; sources, mode and options are that snapshot's too).
   */
  promotedFrom?: { repo: string; id: string };
  packages: SnapshotPackage[];
}

/** Every field of snapshot.json but the packages: its first line. */
export type RecordHead = Omit<SnapshotRecord, 'packages'>;

export function layoutOf(index: ChunkIndex): SnapshotMetadataLayout {
  return { files: index.files, chunks: index.chunks.map((c) => [c.count, c.members.primary, c.members.filelists, c.members.other]) };
}

/** The layout as core's chunk readers take it; undefined when it is not one (a record damaged, or by hand). */
export function chunkIndexOf(layout: SnapshotMetadataLayout): ChunkIndex | undefined {
  if (typeof layout !== 'object' || layout === null || !Array.isArray(layout.chunks) || typeof layout.files !== 'object' || layout.files === null) return undefined;
  const span = (m: unknown): m is MemberSpan => Array.isArray(m) && m.length === 3 && m.every((n) => Number.isSafeInteger(n));
  const chunks = [];
  for (const c of layout.chunks) {
    if (!Array.isArray(c) || c.length !== 4 || !Number.isSafeInteger(c[0]) || !span(c[1]) || !span(c[2]) || !span(c[3])) return undefined;
    chunks.push({ count: c[0], members: { primary: c[1], filelists: c[2], other: c[3] } });
  }
  for (const t of CORE_RECORD_TYPES) {
    const f = layout.files[t];
    if (typeof f?.href !== 'string' || typeof f.checksum !== 'string' || !Number.isSafeInteger(f.size)) return undefined;
  }
  return { files: layout.files, chunks };
}

export function optionsDigest(mode: SyncMode, options: SelectionOptions): string {
  const canon = {
    mode,
    arch: options.arch ? [...options.arch].sort() : null,
    include: options.include ? [...options.include].sort() : null,
    exclude: options.exclude ? [...options.exclude].sort() : null,
    newestOnly: Boolean(options.newestOnly),
    keepVersions: options.keepVersions ?? null,
  };
  return createHash('sha256').update(JSON.stringify(canon)).digest('hex');
}

export function contentDigest(packages: Pick<SnapshotPackage, 'href'>[], extras: Pick<SnapshotExtraMetadata, 'type' | 'checksum'>[]): string {
  return contentDigestOf(packages.map((p) => p.href), extras);
}

/** contentDigest of packages given by their hrefs (in any order). */
export function contentDigestOf(hrefs: readonly string[], extras: Pick<SnapshotExtraMetadata, 'type' | 'checksum'>[]): string {
  return sortedLinesDigest(hrefs, CONTENT_PREFIX, contentTrailer(extras));
}

/** How contentDigest writes each package's href, and then the extra metadata (see sortedLinesDigest). */
export const CONTENT_PREFIX = 'p ';
export function contentTrailer(extras: Pick<SnapshotExtraMetadata, 'type' | 'checksum'>[]): string {
  return [...extras]
    .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0))
    .map((e) => `m ${e.type} ${e.checksum}\n`)
    .join('');
}

/** A snapshot's snapshot.json, or undefined when it has none. */
export async function readSnapshotRecord(store: Store, repo: string, id: string): Promise<SnapshotRecord | undefined> {
  const key = `${snapshotKey(repo, id)}/${SNAPSHOT_RECORD}`;
  const where = store.locationOf(key);
  const found = await store.read(key);
  if (!found) return undefined;
  try {
    const r = JSON.parse(found.data.toString('utf8')) as SnapshotRecord;
    if (r.format !== 1 || !Array.isArray(r.packages)) throw new Error('unknown format');
    return r;
  } catch (e) {
    throw new OvirtRepoError(ErrorCodes.STORE, `snapshot record ${where} is corrupt: ${(e as Error).message}`, {
      target: where,
      hint: 'run `ovirt-repo snapshot verify` on it; a corrupt snapshot should be unpinned and removed by gc',
      cause: e,
    });
  }
}
