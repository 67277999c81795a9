import { ErrorCodes, OvirtRepoError, readPrimary, type PrimaryPackage, type RepomdRecord } from '@ovirt-repo/core';
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
}

export const expectedOf = (r: RepomdRecord) => ({ checksum: { type: r.checksum.type, value: r.checksum.value }, ...(r.size !== undefined ? { size: r.size } : {}) });

/** Keep pass 1's parsed records for pass 2 when primary.xml is at most this large (uncompressed). */
export const KEEP_RECORDS_MAX_BYTES = 256 << 20;

export interface CandidatesRead {
  candidates: Candidate[];
  /** The parsed primary records, in file order, when small enough to keep (saves parsing it again). */
  records?: PrimaryPackage[];
}

/**
 * Pass 1 of a sync: stream a primary.xml and turn each package into a Candidate. Every href, base, file
 * name and checksum from the remote metadata is validated here, before anything derives a path from it.
 */
export async function readCandidates(primary: MetadataFile, location: RepoLocation, origin: number): Promise<CandidatesRead> {
  const out: Candidate[] = [];
  const where = primary.display;
  const openSize = primary.record.openSize ?? (primary.record.size ?? 0) * 12;
  const records: PrimaryPackage[] | undefined = openSize <= KEEP_RECORDS_MAX_BYTES ? [] : undefined;
  for await (const p of readPrimary(primary.path, { name: where, expected: expectedOf(primary.record) })) {
    records?.push(p);
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
    out.push({
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
    });
  }
  return { candidates: out, ...(records ? { records } : {}) };
}
