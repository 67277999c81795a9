import type { RepoLocation } from '../source/location.js';
import type { Nevra } from '../select/filters.js';
import type { SnapshotPackage } from '../store/snapshot-record.js';

/** A package that may go into the new snapshot: what selection, planning and downloading need. */
export interface Candidate extends Nevra {
  epoch: string;
  /** Source index, or -1 for the previous snapshot (additive mode). */
  origin: number;
  /** The package checksum (pkgid in filelists/other) and its type. */
  checksumType: string;
  digest: string;
  size: number;
  /** Where to get the file (URL below the source), and its validated file name. */
  url: URL;
  fileName: string;
  /** Its href in the new snapshot: pool/<dd>/<digest>/<fileName>. */
  poolHref: string;
}

/** In an edited group of the latest snapshot's packages (select-packages.ts): a package from the sources. */
export const isCandidate = (p: SnapshotPackage | Candidate): p is Candidate => 'poolHref' in p;

/** Its href in the new snapshot, whichever it is. */
export const hrefOf = (p: SnapshotPackage | Candidate): string => (isCandidate(p) ? p.poolHref : p.href);

export interface OriginInfo {
  origin: number;
  location: RepoLocation;
}
