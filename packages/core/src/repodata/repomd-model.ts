import type { ChecksumType } from './model.js';

export interface RepomdChecksum {
  type: ChecksumType;
  /** Lower-case hex. */
  value: string;
}

/** A child element the reader does not interpret, kept so a carried-over record loses nothing. */
export interface UnknownElement {
  name: string;
  attributes: Record<string, string>;
  text: string;
}

/** One `<data type="...">` of repomd.xml. Sizes and timestamp are optional: old yum repos omit them. */
export interface RepomdRecord {
  type: string;
  /** Relative to the repo root; always below `repodata/` once validated. */
  location: { href: string; base?: string };
  checksum: RepomdChecksum;
  openChecksum?: RepomdChecksum;
  /** zchunk header checksum (`*_zck` records). */
  headerChecksum?: RepomdChecksum;
  timestamp?: number;
  size?: number;
  openSize?: number;
  headerSize?: number;
  /** sqlite records (`*_db`). */
  databaseVersion?: number;
  unknown?: UnknownElement[];
}

export interface RepomdTags {
  content: string[];
  repo: string[];
  distro: Array<{ cpeid?: string; value: string }>;
}

export interface Repomd {
  revision?: string;
  repoid?: { value: string; type?: string };
  contenthash?: { value: string; type?: string };
  tags?: RepomdTags;
  records: RepomdRecord[];
  unknown?: UnknownElement[];
}

/** The three records built from the package list. */
export const CORE_RECORD_TYPES = ['primary', 'filelists', 'other'] as const;
export type CoreRecordType = (typeof CORE_RECORD_TYPES)[number];

/**
 * - `core`: primary, filelists, other; rewritten from the package list.
 * - `package-derived`: other renderings of the package list (sqlite `*_db`, zchunk `*_zck` of the core
 *   three); stale as soon as the package set changes, so a writer drops them unless the set is unchanged.
 * - `delta`: delta RPM metadata (`prestodelta`, `deltainfo` and their renderings): it names `.drpm` files
 *   beside the packages, which a copy of the repo (snapshot, published repo) does not carry; a writer drops
 *   it rather than advertise files that answer 404 (dnf then downloads whole packages).
 * - `opaque`: everything else (comps `group`/`group_gz`, `updateinfo`, `modules`...); copied unchanged.
 */
export type RecordKind = 'core' | 'package-derived' | 'delta' | 'opaque';

export function classifyRecord(type: string): RecordKind {
  if ((CORE_RECORD_TYPES as readonly string[]).includes(type)) return 'core';
  if (/^(primary|filelists|other)_(db|zck)$/.test(type)) return 'package-derived';
  return /^(prestodelta|deltainfo)(_db|_zck)?$/.test(type) ? 'delta' : 'opaque';
}
