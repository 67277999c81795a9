import {
  ErrorCodes,
  OvirtRepoError,
  keyPackageEntries,
  readPackageEntries,
  readPrimary,
  recordStreamOptions,
  summarizePrimaryEntry,
  type CoreRecordType,
  type PackageEntries,
  type PrimaryPackage,
  type PrimarySummary,
  type ReadXmlOptions,
  type RepomdRecord,
} from '@ovirt-repo/core';
import { resolveHref, resolveLocationBase, type RepoLocation } from '../source/location.js';
import { poolHref } from '../store/layout.js';
import { printable, validateDigest, validateFileName, validateHref } from '../store/names.js';
import type { Candidate } from './candidates.js';

/** How a metadata file of repomd.xml is read: its local path and what its bytes must hash to. */
export interface MetadataFile {
  path: string;
  record: RepomdRecord;
  /** For messages: the URL or path it came from. */
  display: string;
  /** The most it may hold or decompress to where repomd.xml says less (`--max-metadata-size`); core's default if unset. */
  maxSize?: number;
}

/** How the readers read `file`: against its repomd.xml record (checksum, size, open-size) and bounds. */
export const readOptionsOf = (file: MetadataFile): ReadXmlOptions => ({ name: file.display, ...recordStreamOptions(file.record, file.maxSize) });

/**
 * Keep a file's packages in memory (pass 1's parsed records, or entries split by layout) only when
 * repomd.xml declares it decompresses to at most this much: reading stops just past a declared
 * open-size, so what is kept is bounded by it; without one, the file is streamed instead.
 */
export const KEEP_RECORDS_MAX_BYTES = 256 << 20;

export interface CandidatesRead {
  candidates: Candidate[];
  /** The parsed primary records, in file order, when small enough to keep (saves parsing it again). */
  records?: PrimaryPackage[];
  /** Read by layout instead: each package's primary entry text, by package digest (first one wins). */
  entries?: ReadonlyMap<string, string>;
}

export interface ReadCandidatesOptions {
  /**
   * Try reading primary.xml by its layout (createrepo_c's and ours) instead of with the XML parser: worth it
   * when most packages will come from the previous snapshot, so pass 2 parses only the few new ones.
   */
  byLayout?: boolean;
}

/**
 * Pass 1 of a sync: stream a primary.xml and turn each package into a Candidate. Every href, base, file
 * name and checksum from the remote metadata is validated here, before anything derives a path from it.
 */
export async function readCandidates(primary: MetadataFile, location: RepoLocation, origin: number, options: ReadCandidatesOptions = {}): Promise<CandidatesRead> {
  const fast = options.byLayout ? await readCandidatesByLayout(primary, location, origin) : undefined;
  if (fast) return fast;
  const out: Candidate[] = [];
  const records: PrimaryPackage[] | undefined = fitsInMemory(primary.record) ? [] : undefined;
  for await (const p of readPrimary(primary.path, readOptionsOf(primary))) {
    records?.push(p);
    out.push(candidateOf(p, location, origin, primary.display));
  }
  return { candidates: out, ...(records ? { records } : {}) };
}

/**
 * readCandidates without the XML parser, for a primary.xml in createrepo_c's layout (see
 * listPackageEntries). undefined for any other file, or any problem: the parser then reads it and
 * reports what is wrong in its own words.
 */
async function readCandidatesByLayout(primary: MetadataFile, location: RepoLocation, origin: number): Promise<CandidatesRead | undefined> {
  if (!fitsInMemory(primary.record)) return undefined;
  const list = await readPackageEntries('primary', primary.path, readOptionsOf(primary)).catch(() => undefined);
  if (!list) return undefined;
  const candidates: Candidate[] = [];
  const entries = new Map<string, string>();
  for (const entry of list) {
    const summary = summarizePrimaryEntry(entry);
    if (!summary) return undefined;
    const c = candidateOf(summary, location, origin, primary.display);
    candidates.push(c);
    if (!entries.has(c.digest)) entries.set(c.digest, entry);
  }
  return { candidates, entries };
}

/** Whether a metadata file's packages may be held in memory (see KEEP_RECORDS_MAX_BYTES). */
function fitsInMemory(record: RepomdRecord): boolean {
  return record.openSize !== undefined && record.openSize <= KEEP_RECORDS_MAX_BYTES;
}

/**
 * A metadata file split into its entries by layout and key (see keyPackageEntries), verified against
 * repomd.xml; undefined for another layout, a file too large to hold (see KEEP_RECORDS_MAX_BYTES) or any
 * problem: streaming the file then reads it and says what is wrong.
 */
export async function readVerifiedEntries(file: MetadataFile, type: CoreRecordType): Promise<PackageEntries | undefined> {
  if (!fitsInMemory(file.record)) return undefined;
  const list = await readPackageEntries(type, file.path, readOptionsOf(file)).catch(() => undefined);
  return list && keyPackageEntries(type, list);
}

function candidateOf(p: PrimarySummary, location: RepoLocation, origin: number, where: string): Candidate {
  const segments = validateHref(p.location.href, where);
  const base = resolveLocationBase(location.base, p.location.base, where);
  const fileName = validateFileName(segments.at(-1) ?? '', where, '.rpm');
  const digest = validateDigest(p.checksum.type, p.checksum.value, `${where} (${printable(p.name)})`);
  if (!Number.isSafeInteger(p.size.package) || p.size.package <= 0) {
    throw new OvirtRepoError(ErrorCodes.REPODATA_INVALID, `${where}: package ${printable(p.location.href)} has no valid size`, {
      target: where,
      hint: 'regenerate the source metadata with createrepo_c',
    });
  }
  return {
    name: p.name,
    epoch: p.epoch || '0',
    version: p.version,
    release: p.release,
    arch: p.arch,
    origin,
    checksumType: p.checksum.type,
    digest,
    size: p.size.package,
    url: resolveHref(base, p.location.href, where),
    fileName,
    poolHref: poolHref(digest, fileName),
  };
}
