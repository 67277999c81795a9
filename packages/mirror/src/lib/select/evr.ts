import { rpmvercmp } from '@ovirt-repo/core';

/** rpm's version segment comparison (core's implementation of rpmio/rpmvercmp.c), re-exported for callers. */
export { rpmvercmp };

export interface Evr {
  epoch?: string;
  version: string;
  release: string;
}

/** Compare two packages' epoch:version-release the way rpm and dnf order packages. */
export function compareEvr(a: Evr, b: Evr): -1 | 0 | 1 {
  const ea = epochNumber(a.epoch);
  const eb = epochNumber(b.epoch);
  if (ea !== eb) return ea > eb ? 1 : -1;
  return rpmvercmp(a.version, b.version) || rpmvercmp(a.release, b.release);
}

function epochNumber(e: string | undefined): number {
  if (!e) return 0;
  const n = Number(e);
  return Number.isFinite(n) ? n : 0;
}

export function formatEvr(p: Evr): string {
  return `${p.epoch && p.epoch !== '0' ? `${p.epoch}:` : ''}${p.version}-${p.release}`;
}
