import { ErrorCodes, OvirtRepoError, readPrimary, recordStreamOptions, type PrimarySummary, type ReadXmlOptions, type RepomdRecord } from '@ovirt-repo/core';
import { resolveHref, resolveLocationBase, type RepoLocation } from '../../source/location.js';
import { poolHref } from '../../store/layout.js';
import { printable, validateDigest, validateFileName, validateHref } from '../../store/names.js';
import type { Candidate } from '../shared/candidates.js';

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
 * Pass 1 of a sync: stream a primary.xml and turn each package into a Candidate. Every href, base, file
 * name and checksum from the remote metadata is validated here, before anything derives a path from it.
 */
export async function readCandidates(primary: MetadataFile, location: RepoLocation, origin: number): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for await (const p of readPrimary(primary.path, readOptionsOf(primary))) out.push(candidateOf(p, location, origin, primary.display));
  return out;
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
