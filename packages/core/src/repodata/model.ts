/**
 * The package record shared by the RPM reader (which produces it), the repodata writer (which serialises it
 * into primary/filelists/other XML) and the repodata reader (which parses it back). Field names follow
 * createrepo_c's cr_Package and the XML element names, so a reader of either can find their way.
 */

export type ChecksumType = 'sha256' | 'sha512' | 'sha384' | 'sha224' | 'sha1' | 'sha' | 'md5';

/** Comparison flags exactly as they appear in repodata (`flags="GE"`). */
export type DependencyFlag = 'EQ' | 'LT' | 'GT' | 'LE' | 'GE';

export interface Dependency {
  /** Name, or a whole rich dependency such as `(foo if bar)`. */
  name: string;
  flags?: DependencyFlag;
  /** Present only with flags; `epoch` defaults to "0" when the RPM has a version but no epoch. */
  epoch?: string;
  version?: string;
  release?: string;
  /** Requires only: `pre="1"` (PREREQ, SCRIPT_PRE or SCRIPT_POST set). */
  pre?: boolean;
}

export type FileType = 'file' | 'dir' | 'ghost';

export interface PackageFile {
  path: string;
  type: FileType;
}

export interface ChangelogEntry {
  author: string;
  /** Seconds since the epoch. */
  date: number;
  text: string;
}

export interface PackageChecksum {
  type: ChecksumType;
  /** Lower-case hex digest of the whole .rpm file; also the pkgid in filelists/other. */
  value: string;
}

export interface PackageRecord {
  name: string;
  /** `src` for source packages. */
  arch: string;
  epoch: string;
  version: string;
  release: string;
  checksum: PackageChecksum;
  summary: string;
  description: string;
  packager: string;
  url: string;
  time: { file: number; build: number };
  size: { package: number; installed: number; archive: number };
  location: { href: string; base?: string };
  format: {
    license: string;
    vendor: string;
    group: string;
    buildhost: string;
    sourcerpm: string;
    headerRange: { start: number; end: number };
    provides: Dependency[];
    requires: Dependency[];
    conflicts: Dependency[];
    obsoletes: Dependency[];
    suggests: Dependency[];
    enhances: Dependency[];
    recommends: Dependency[];
    supplements: Dependency[];
  };
  /** Every file the package ships, in header order. The writer picks the primary.xml subset. */
  files: PackageFile[];
  /** Oldest first, as createrepo_c writes them; already cut to the changelog limit by the producer. */
  changelogs: ChangelogEntry[];
}

/** `name-[epoch:]version-release.arch`, epoch omitted when 0, as rpm and dnf print it. */
export function nevra(p: Pick<PackageRecord, 'name' | 'epoch' | 'version' | 'release' | 'arch'>): string {
  const e = p.epoch && p.epoch !== '0' ? `${p.epoch}:` : '';
  return `${p.name}-${e}${p.version}-${p.release}.${p.arch}`;
}
