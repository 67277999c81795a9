/** Comparison of a versioned dependency, spelled as in a spec file's `Requires: a >= 1` (GE). */
export type DependencyFlag = 'EQ' | 'LT' | 'GT' | 'LE' | 'GE';

export interface RpmDependency {
  /** A capability (`bash`, `/usr/bin/sh`, `pkgconfig(glib-2.0)`) or a rich dependency in parentheses. */
  name: string;
  /** Required with `version`; defaults to `EQ` when only a version is given. */
  flags?: DependencyFlag;
  /** `[E:]V[-R]`, for example `1.2`, `1.2-3`, `2:1.2-3.el9`. */
  version?: string;
}

export interface RpmRequire extends RpmDependency {
  /** `Requires(pre):` - the dependency must be installed before this package's %pre runs. */
  pre?: boolean;
}

export interface RpmDependencies {
  provides?: RpmDependency[];
  requires?: RpmRequire[];
  conflicts?: RpmDependency[];
  obsoletes?: RpmDependency[];
  recommends?: RpmDependency[];
  suggests?: RpmDependency[];
  supplements?: RpmDependency[];
  enhances?: RpmDependency[];
}

/**
 * `file`, `config`, `doc` and `license` are regular files (`config` is `%config`, `doc` is `%doc`, `license`
 * is `%license`), `ghost` is `%ghost` (listed in the header, absent from the payload), `dir` is `%dir`,
 * `symlink` needs `linkTo`.
 */
export type RpmFileType = 'file' | 'dir' | 'symlink' | 'ghost' | 'config' | 'doc' | 'license';

export interface RpmFile {
  /** Absolute, normalised path (`/usr/bin/hello`); in a source package a plain file name (`hello.spec`). */
  path: string;
  type?: RpmFileType;
  /** Regular (file, config, doc, license) and source files only; defaults to empty. Strings are written as UTF-8. */
  contents?: string | Buffer;
  /** Permission bits only (0o755); the file type bits come from `type`. */
  mode?: number;
  /** Symlink target, required for `symlink`. */
  linkTo?: string;
  /** Seconds since the epoch; defaults to the package build time. */
  mtime?: number;
  /** Owner name; defaults to `root`. */
  user?: string;
  /** Group name; defaults to `root`. */
  group?: string;
}

export interface RpmChangelog {
  /** Seconds since the epoch. */
  time: number;
  /** `Name <email> - version`, as in a spec file's `* Mon Jan 01 2024 Name <email> - 1.0-1` line. */
  author: string;
  text: string;
}

/** Everything a package is made from. Only name, version, release and arch are required. */
export interface RpmSpec {
  name: string;
  epoch?: number;
  version: string;
  release: string;
  /** `x86_64`, `noarch`, ... For a source package the arch it was built on (its file is still `.src.rpm`). */
  arch: string;
  /** Writes a source package (`.src.rpm`): SOURCEPACKAGE tag, no SOURCERPM tag, unprefixed payload names. */
  source?: boolean;
  /** Defaults to `<name> test package`. */
  summary?: string;
  /** Defaults to the summary. */
  description?: string;
  /** Defaults to `MIT`. */
  license?: string;
  /** Defaults to `Unspecified`, as rpmbuild does. */
  group?: string;
  url?: string;
  vendor?: string;
  packager?: string;
  /** Defaults to `localhost`. */
  buildhost?: string;
  /** Seconds since the epoch; defaults to DEFAULT_BUILD_TIME so output never depends on the clock. */
  buildtime?: number;
  /** Binary packages only; defaults to `<name>-<version>-<release>.src.rpm`. */
  sourcerpm?: string;
  dependencies?: RpmDependencies;
  files?: RpmFile[];
  /** Any order; written newest first, as rpm stores them. */
  changelogs?: RpmChangelog[];
  /**
   * A directory (`/usr/lib/foo`) below which identical plain files (type `file`, same contents, mode,
   * owner, group and mtime) are stored once, as hard links, as Fedora's `%fdupes DIR` does: for packages
   * holding many copies of the same file (npm trees). One directory, so no link crosses file systems.
   */
  hardlinkDuplicatesIn?: string;
}

/** 2023-11-14T22:13:20Z: a fixed default build time, so the same spec always gives the same bytes. */
export const DEFAULT_BUILD_TIME = 1_700_000_000;
