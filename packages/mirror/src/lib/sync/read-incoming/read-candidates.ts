import { ErrorCodes, OvirtRepoError, readPrimary, recordStreamOptions, type PrimaryPackage, type ReadXmlOptions, type RepomdRecord } from '@ovirt-repo/core';
import { resolveHref, resolveLocationBase, type RepoLocation } from '../../source/location.js';
import { poolHref } from '../../store/layout.js';
import { printable, validateDigest, validateFileName, validateHref } from '../../store/names.js';
import type { Candidate } from '../shared/candidates.js';
import type { Spool } from '../shared/spool.js';

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
 * The primary records (as pass 1 parsed them) of the candidates whose entries the new snapshot may take
 * from the sources: those the latest snapshot lacks (all of them without its metadata). Spooled in the
 * sync's work area, so primary.xml is read once and memory does not grow with the repo; pass 2 joins
 * them with filelists and other.
 */
export class PrimaryRecords {
  constructor(
    private readonly spool: Spool,
    /** Whether the new snapshot may need `c`'s entries from its source. */
    private readonly fromSource: (c: Candidate) => boolean,
  ) {}

  offer(c: Candidate, p: PrimaryPackage): void {
    const key = keyOf(c);
    if (this.fromSource(c) && !this.spool.has(key)) this.spool.add(key, [JSON.stringify(p)]);
  }

  /** `c`'s primary record (the first its source lists at its pool href). */
  recordOf(c: Candidate): PrimaryPackage {
    return JSON.parse(this.spool.get(keyOf(c), 'primary record kept')[0] as string) as PrimaryPackage;
  }
}

const keyOf = (c: Candidate) => `${c.origin} ${c.poolHref}`;

/**
 * Pass 1 of a sync: stream a primary.xml and turn each package into a Candidate, offering its record to
 * `records`. Every href, base, file name and checksum from the remote metadata is validated here, before
 * anything derives a path from it.
 */
export async function readCandidates(primary: MetadataFile, location: RepoLocation, origin: number, records: PrimaryRecords): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for await (const p of readPrimary(primary.path, readOptionsOf(primary))) {
    const c = candidateOf(p, location, origin, primary.display);
    records.offer(c, p);
    out.push(c);
  }
  return out;
}

function candidateOf(p: PrimaryPackage, location: RepoLocation, origin: number, where: string): Candidate {
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
