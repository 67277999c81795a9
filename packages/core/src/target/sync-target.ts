import type { Readable } from 'node:stream';

/**
 * A destination that `ovirt-repo publish` (and anything else that ships a repository somewhere) writes to:
 * a local directory, an rsync daemon module, a host reached over ssh, an object store... Each kind is a
 * plugin-provided implementation of this small interface, found by URL scheme in the target registry
 * (see registry.ts and docs/plugins.md).
 *
 * Paths given to every method are relative to the target root, '/'-separated (see normalizeTargetPath);
 * implementations must refuse paths that would leave the root. Methods throw OvirtRepoError: E_NOT_FOUND for
 * a missing file where one is required, E_TARGET for a failed operation (with the target URL and a hint),
 * E_UNSAFE_PATH for a path outside the root.
 *
 * What callers may rely on, whatever the target:
 * - put() is atomic per file: a reader (a web server, a dnf client) sees either the previous content of
 *   the path or the complete new content, never a partial file, even if the writer is killed. This is the
 *   one guarantee publishing needs: data files first, repomd.xml last.
 * - Nothing else is atomic unless the target says so (`atomicRename`), and operations on different paths
 *   are not ordered unless the caller awaits one before starting the next.
 */
export interface SyncTarget {
  /** The registry scheme this target was opened under (`file`, `rsync`, `ssh`, ...). */
  readonly scheme: string;
  /** Where it points, for messages and results: a path or URL, never containing a secret. */
  readonly location: string;
  /** True when rename() replaces the destination path atomically (a single rename(2) or equivalent). */
  readonly atomicRename: boolean;
  /** What this target cannot do, in plain sentences (shown by `publish targets` and in --verbose logs). */
  readonly limitations: readonly string[];

  /**
   * Every regular file at or below `prefix` (a directory path; `''` is the root), recursively, with paths
   * relative to the root. Directories themselves are not listed. A missing prefix gives an empty list.
   * Symbolic links are reported as the files they point to. Order is unspecified.
   */
  list(prefix?: string): Promise<TargetEntry[]>;

  /** The file or directory at `path`, or undefined when nothing is there. */
  stat(path: string): Promise<TargetEntry | undefined>;

  /** A stream of the file's bytes. Missing file: E_NOT_FOUND. The caller must consume or destroy it. */
  read(path: string): Promise<Readable>;

  /**
   * Create or replace the file at `path` with `data`, atomically (see above), creating parent directories
   * as needed. Typically: write a temp name in the same directory, flush, rename over `path`.
   * New files are world-readable (0644, directories 0755), as a web server must be able to serve them.
   */
  put(path: string, data: PutData): Promise<void>;

  /**
   * Move the file at `from` to `to`, replacing `to`. Atomic only when `atomicRename` is true; otherwise
   * implemented as copy-then-remove, during which both paths exist (never neither).
   */
  rename(from: string, to: string): Promise<void>;

  /**
   * Remove the file or directory (recursively) at `path`. Removing something that does not exist is not an
   * error, so interrupted clean-ups can simply be repeated.
   */
  remove(path: string): Promise<void>;

  /** Release connections, child processes and local temp space. Optional; safe to call twice. */
  close?(): Promise<void>;
}

export interface TargetEntry {
  /** Relative to the target root, normalised. */
  path: string;
  type: 'file' | 'directory';
  /** Bytes (0 for directories). */
  size: number;
  /** Modification time in milliseconds since the epoch, when the target knows it. */
  mtimeMs?: number;
}

/** A file on the local machine to upload as-is (lets targets copy, link or rsync it without buffering). */
export interface LocalFile {
  localFile: string;
}

/** What put() accepts: text (UTF-8), bytes, a stream (consumed once) or a local file. */
export type PutData = string | Uint8Array | Readable | LocalFile;

export interface PutItem {
  path: string;
  data: PutData;
}

// ---------------------------------------------------------------------------------------------------------
// Optional capabilities. A target implements the interfaces it can honour; callers test with the guards.
// ---------------------------------------------------------------------------------------------------------

/**
 * Many files in one operation (one rsync run instead of one per file). Same guarantees as put()/remove()
 * for each file; no ordering between the files of one call.
 */
export interface BatchCapable {
  putMany(items: readonly PutItem[]): Promise<void>;
  removeMany(paths: readonly string[]): Promise<void>;
}

/** The target is a directory on this machine; `localPath` maps a target path to it (for fast copies). */
export interface LocalPathCapable {
  localPath(path: string): string;
}

/** Hard links inside the target: `existing` and `path` become the same file (no bytes copied). */
export interface HardlinkCapable {
  link(existing: string, path: string): Promise<void>;
}

/**
 * An exclusive, named writer lock on the target. `lock` waits up to `waitMs` (default: fail at once) and
 * throws E_LOCKED when another writer holds it; locks left by a killed writer are detected and broken.
 */
export interface LockCapable {
  lock(name: string, options?: { waitMs?: number }): Promise<TargetLock>;
}

export interface TargetLock {
  release(): Promise<void>;
}

/**
 * Symbolic links inside the target, each replaced in one atomic step (a new link under a temp name renamed
 * over the old one), so a reader finds the old link or the new one, never neither. With it a publisher
 * switches several files at once: repomd.xml and its signature are both reached through one directory link,
 * and moving that link moves both (docs/trust.md).
 */
export interface AtomicLinkCapable {
  /** Make `path` a symbolic link to `linkTarget` (relative to path's directory, inside the target), replacing what is there. */
  symlink(linkTarget: string, path: string): Promise<void>;
  /** The target of the link at `path` as written; undefined when nothing is there or it is not a link. */
  readLink(path: string): Promise<string | undefined>;
}

function hasMethods(target: unknown, ...names: string[]): boolean {
  return typeof target === 'object' && target !== null && names.every((n) => typeof (target as Record<string, unknown>)[n] === 'function');
}

export function isBatchCapable<T extends SyncTarget>(target: T): target is T & BatchCapable {
  return hasMethods(target, 'putMany', 'removeMany');
}

export function isLocalPathCapable<T extends SyncTarget>(target: T): target is T & LocalPathCapable {
  return hasMethods(target, 'localPath');
}

export function isHardlinkCapable<T extends SyncTarget>(target: T): target is T & HardlinkCapable {
  return hasMethods(target, 'link');
}

export function isLockCapable<T extends SyncTarget>(target: T): target is T & LockCapable {
  return hasMethods(target, 'lock');
}

export function isAtomicLinkCapable<T extends SyncTarget>(target: T): target is T & AtomicLinkCapable {
  return hasMethods(target, 'symlink', 'readLink');
}

export function isLocalFile(data: PutData): data is LocalFile {
  return typeof data === 'object' && data !== null && typeof (data as LocalFile).localFile === 'string' && !(data instanceof Uint8Array);
}
