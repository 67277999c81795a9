import { rpmvercmp } from './rpmvercmp.js';

/** A package's epoch:version-release as repodata gives it (a missing or empty epoch is 0). */
export interface Evr {
  epoch?: string;
  version: string;
  release: string;
}

/**
 * Order two packages by epoch:version-release as dnf (libsolv) does: epoch, then version, then release, each
 * with rpmvercmp, a missing or empty epoch counting as "0". Epochs compare as rpmvercmp compares digits, so
 * "01" equals "1" and epochs beyond any number type still order right.
 */
export function compareEvr(a: Evr, b: Evr): -1 | 0 | 1 {
  return rpmvercmp(a.epoch || '0', b.epoch || '0') || rpmvercmp(a.version, b.version) || rpmvercmp(a.release, b.release);
}

/** `epoch:version-release`, the epoch left out when it is 0, as rpm prints it. */
export function formatEvr(p: Evr): string {
  return `${p.epoch && p.epoch !== '0' ? `${p.epoch}:` : ''}${p.version}-${p.release}`;
}
