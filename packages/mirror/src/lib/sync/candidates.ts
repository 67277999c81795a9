import type { RepoLocation } from '../source/location.js';
import type { Nevra } from '../select/filters.js';

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

export interface OriginInfo {
  origin: number;
  location: RepoLocation;
}
