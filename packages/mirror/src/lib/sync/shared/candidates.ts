import type { Nevra } from '../../select/filters.js';
import type { SnapshotPackage } from '../../store/snapshot-record.js';

/** A package of the sources that may go into the new snapshot: what selection, downloading and writing need. */
export interface Candidate extends Nevra {
  epoch: string;
  /** Source index, or -1 for the latest snapshot (a package only it has, checked in the pool). */
  origin: number;
  /** The package checksum (pkgid in filelists/other) and its type. */
  checksumType: string;
  digest: string;
  size: number;
  /** Where to get the file (URL below the source; origin -1: see latestCandidate, never fetched), and its validated file name. */
  url: URL;
  fileName: string;
  /** Its href in the new snapshot: pool/<dd>/<digest>/<fileName>. */
  poolHref: string;
}

/** In an edited group of the latest snapshot's packages: a package from the sources. */
export const isCandidate = (p: SnapshotPackage | Candidate): p is Candidate => 'poolHref' in p;

/** Its href in the new snapshot, whichever it is. */
export const hrefOf = (p: SnapshotPackage | Candidate): string => (isCandidate(p) ? p.poolHref : p.href);

/** Whether `q` is the very file `p` (of the latest snapshot) is: then the new snapshot keeps `p` and its entries. */
export const sameFile = (p: SnapshotPackage, q: SnapshotPackage | Candidate): boolean => p.href === hrefOf(q);

/** A package as snapshot.json records it. */
export function snapshotPackageOf(p: SnapshotPackage | Candidate): SnapshotPackage {
  if (!isCandidate(p)) return p;
  return { name: p.name, epoch: p.epoch, version: p.version, release: p.release, arch: p.arch, href: p.poolHref, checksumType: p.checksumType, digest: p.digest, size: p.size };
}
