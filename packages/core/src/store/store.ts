import type { Readable } from 'node:stream';
import type { LockOptions, LockOwner } from '../lock/file-lock.js';

/**
 * Where the mirror keeps its repos: snapshots, the package pool, the pointers that say which snapshot is
 * the latest, pins and index files. Each kind of place (a directory on this machine; object storage next)
 * implements this small interface, and everything that reads or writes a store (sync, gc, snapshot
 * commands, the index and status pages, serve) goes through it. docs/internals.md ("The store") tells how
 * to add a backend; conformance.ts checks one.
 *
 * Keys are '/'-separated paths relative to the store's root (`yum/el9/latest.txt`); `''` is the root itself
 * (for list and stat). Every segment follows core's file-name rule (fileNameProblem: no `..`, no leading
 * dot, no control characters...): see storeKey. A key never leads outside the store, whatever links the
 * store holds. Methods throw OvirtRepoError naming the operation and the key's location: E_UNSAFE_PATH for
 * a key that breaks the rule, E_CONFLICT for a replace that lost, E_LOCKED for a lock held by another
 * writer, E_IO (or the backend's code) for a failed operation.
 *
 * What callers may rely on, whatever the store:
 * - An object is visible whole or not at all: a reader never sees a partial write, even when the writer is
 *   killed, and a write whose data stream fails leaves nothing. What a killed writer leaves out of sight is
 *   removed by removeLeftovers.
 * - create() never replaces: of writers racing to create one key, exactly one is told it created it.
 * - replace() is a compare-and-swap: it succeeds only if the object is still the version the caller read.
 * - A write, once its promise resolves, is durable (survives a crash of the machine) and is seen by every
 *   later read and list.
 */
export interface Store {
  /** The registry scheme it was opened under (`file`, ...). */
  readonly scheme: string;
  /** Where it is, for messages and results: a path or URL, never containing a secret. */
  readonly location: string;

  /** Where `key` is, for messages: a path or URL without secrets. */
  locationOf(key: string): string;

  /**
   * A small object, whole, and its version (for replace). Undefined when there is none. More than
   * `maxBytes` (default DEFAULT_READ_MAX_BYTES) is E_STORE: use open() for large objects.
   */
  read(key: string, options?: { maxBytes?: number }): Promise<StoreObject | undefined>;

  /**
   * A stream of an object's bytes, or of bytes `start`..`end` (inclusive) of it, with its whole size.
   * Undefined when there is none. The caller must consume or destroy the stream.
   */
  open(key: string, options?: { start?: number; end?: number }): Promise<StoreStream | undefined>;

  /**
   * What is at `key`: an object, a prefix (something is below it), a link (stores that have them), or
   * undefined. With `follow`, a link is followed (inside the store only) and what it leads to is reported.
   * With `objectOnly`, the caller asks about an object (or link) only: where there is none, a store may
   * answer undefined without looking for a prefix (an object store then makes one request, not two).
   */
  stat(key: string, options?: { follow?: boolean; objectOnly?: boolean }): Promise<StoreEntry | undefined>;

  /**
   * What is below `prefix`, sorted by key. One level (default): its objects, links and prefixes.
   * `recursive`: every object and link at any depth (no prefixes; links are not followed). A missing prefix
   * gives an empty list; objects being written are never listed.
   */
  list(prefix: string, options?: { recursive?: boolean }): Promise<StoreEntry[]>;

  /**
   * Create the object at `key` with `data`, only if nothing is there. True when this call created it;
   * false when the key already existed (its content is left as it was; `data` is still consumed). An
   * error of the `data` stream is thrown as it is, and nothing is created.
   */
  create(key: string, data: StoreData): Promise<boolean>;

  /**
   * Replace the object at `key` with `data` if it still is version `expected` (from read or an earlier
   * replace), or, with `expected` null, only if there is none. Returns the new version. Anything else is
   * E_CONFLICT and changes nothing: for pointers (latest, the index) that must never move over a change
   * another writer made.
   */
  replace(key: string, data: string | Uint8Array, expected: string | null): Promise<string>;

  /** Remove the object, link or prefix (everything below it) at `key`. Nothing there is fine. */
  remove(key: string): Promise<void>;

  /**
   * Remove what killed writers left out of sight directly below `prefix` (at any depth with `recursive`)
   * and is older than `olderThanMs`: temp files, half-built staged writes, unfinished uploads. Callers make
   * sure no live writer works there (they hold its lock) or pass an age no live write reaches. Returns how
   * many were removed.
   */
  removeLeftovers(prefix: string, options: { olderThanMs: number; recursive?: boolean }): Promise<number>;

  /**
   * Take the exclusive writer lock `name` (one file-name segment), waiting up to `options.timeoutMs`, then
   * E_LOCKED naming the holder. A lock whose holder died is broken safely: of several waiters exactly one
   * breaks it, and a lock taken again meanwhile is never removed.
   */
  lock(name: string, options: LockOptions): Promise<StoreLock>;

  /**
   * Who holds lock `name`: undefined when it is free or its holder is dead (by `staleAfterMs` without a
   * heartbeat from another host); `owner` is missing while a new lock is still being written.
   */
  lockHolder(name: string, options?: { staleAfterMs?: number }): Promise<{ owner?: LockOwner } | undefined>;

  /** Release connections and local resources. Optional; safe to call twice. */
  close?(): Promise<void>;
}

/** What read() gives. */
export interface StoreObject {
  data: Buffer;
  /** Opaque; changes whenever the content changes. */
  version: string;
}

export interface StoreStream {
  stream: Readable;
  /** The whole object's size (not only the range asked for). */
  size: number;
  /** The opened object's etag and modification time, as stat() gives them (see StoreEntry). */
  etag?: string;
  mtimeMs?: number;
}

export interface StoreEntry {
  key: string;
  type: 'object' | 'prefix' | 'link';
  /** Bytes of an object (0 for prefixes and links). */
  size: number;
  /** Last modification in ms since the epoch, by the store's clock, when the store knows it. */
  mtimeMs?: number;
  /** For HTTP caching: changes whenever the object may have changed. */
  etag?: string;
  /** A link's target as written (relative to the link's own prefix). */
  target?: string;
}

/** What create() and staged writes accept: text (UTF-8), bytes, or a stream (consumed once). */
export type StoreData = string | Uint8Array | Readable;

export interface StoreLock {
  readonly name: string;
  readonly owner: LockOwner;
  /** Throws E_LOCKED if the lock was broken or taken over (so a writer presumed dead never commits). */
  assertHeld(): Promise<void>;
  release(): Promise<void>;
}

/** read()'s default bound: pointers, records and pages are far smaller; a larger object is not one of them. */
export const DEFAULT_READ_MAX_BYTES = 256 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------
// Optional capabilities. A store implements the interfaces it can honour; callers test with the guards.
// ---------------------------------------------------------------------------------------------------------

/**
 * A set of objects below one prefix made visible together (a snapshot: its metadata, record and pool link).
 * A directory store builds them under a temp name and renames it; an object store may upload them in
 * place, so before commit nothing may refer to the prefix.
 */
export interface StagedWriteCapable {
  /** Start a staged write of `prefix`, which must not exist when it is committed. */
  stage(prefix: string): Promise<StagedWrite>;
}

export interface StagedWrite {
  readonly prefix: string;
  /** Where the set is being built, when it is a directory on this machine (for writers using local tools). */
  readonly localDir?: string;
  /** Write one object of the set (`key` relative to the prefix; create-only). */
  write(key: string, data: StoreData): Promise<void>;
  /** A link in the set (stores that are SymlinkCapable). */
  symlink?(key: string, target: string): Promise<void>;
  /** Make the set visible under its prefix, durably. E_CONFLICT when the prefix exists by then. */
  commit(): Promise<void>;
  /** Drop whatever was written (nothing after commit). Safe to call twice. */
  discard(): Promise<void>;
}

/** Symbolic links inside the store (a snapshot's `pool` link to the store's pool). */
export interface SymlinkCapable {
  /** Create a link at `key` to `target` (relative to the key's prefix, and staying inside the store); create-only. */
  symlink(key: string, target: string): Promise<boolean>;
}

/** The store is a directory on this machine: a key's file, for fast copies and local tools. */
export interface LocalFilesCapable {
  localPath(key: string): string;
}

/**
 * Objects written aside first and made visible later, many made durable by one flush: how a sync's
 * downloads go on while the disk catches up. create() is prepare() then commit().
 */
export interface DeferredCreateCapable {
  /** Write `data` for `key` out of sight (consuming it; a stream error is thrown as it is, leaving nothing). */
  prepare(key: string, data: StoreData): Promise<PreparedObject>;
  /**
   * Make durable everything written below `prefix` so far, at once. False when this store cannot (then
   * commit without `flushed`, and each object is made durable on its own).
   */
  flush(prefix: string): Promise<boolean>;
}

export interface PreparedObject {
  readonly key: string;
  readonly size: number;
  /**
   * Make it visible, create-only: false when the key existed (the prepared copy is dropped). `flushed`: a
   * flush() that returned true ran since it was prepared, so it is only linked into place, and is durable
   * after the next flush.
   */
  commit(options?: { flushed?: boolean }): Promise<boolean>;
  /** Drop it (nothing after commit). */
  discard(): Promise<void>;
}

function hasMethods(store: unknown, ...names: string[]): boolean {
  return typeof store === 'object' && store !== null && names.every((n) => typeof (store as Record<string, unknown>)[n] === 'function');
}

export function isStagedWriteCapable<T extends Store>(store: T): store is T & StagedWriteCapable {
  return hasMethods(store, 'stage');
}

export function isSymlinkCapable<T extends Store>(store: T): store is T & SymlinkCapable {
  return hasMethods(store, 'symlink');
}

export function isLocalFilesCapable<T extends Store>(store: T): store is T & LocalFilesCapable {
  return hasMethods(store, 'localPath');
}

export function isDeferredCreateCapable<T extends Store>(store: T): store is T & DeferredCreateCapable {
  return hasMethods(store, 'prepare', 'flush');
}
