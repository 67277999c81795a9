import type { Readable } from 'node:stream';

/**
 * What the probe needs of a backend, below one probe prefix: a few primitives, each mapped to the backend's
 * own request (S3: PUT with If-None-Match / If-Match, ListObjectsV2...; a directory store: its Store
 * methods). Keys are relative to the probe prefix.
 */
export interface ProbeTarget {
  /** The backend kind, for the result (`s3`, `file`). */
  readonly backend: string;
  /** Where the probe writes, for messages (`s3://bucket/prefix/.store-check-…/`). */
  readonly location: string;
  /**
   * The forms a version (an ETag) can be sent in for a compare-and-swap: S3 servers differ in whether they
   * match `If-Match` against the quoted ETag, the bare one, or both. One form for backends with opaque versions.
   */
  readonly versionForms: readonly VersionForm[];
  /** Create only: true when this call created it, false when the key existed (the backend refused). */
  create(key: string, data: Buffer): Promise<boolean>;
  /** Write whatever is there (no condition); the new version. */
  overwrite(key: string, data: Buffer): Promise<string>;
  /** Replace only if still `version` (as sent): the new version, or E_CONFLICT. */
  replaceIf(key: string, data: Buffer, version: string): Promise<string>;
  read(key: string): Promise<{ data: Buffer; version: string } | undefined>;
  /** Every object below `prefix` (recursive), with sizes. */
  list(prefix: string): Promise<{ key: string; size: number }[]>;
  /** Write a stream of `length` bytes, create-only. */
  putStream(key: string, data: Readable, length: number): Promise<void>;
  remove(key: string): Promise<void>;
  /** Remove everything the probe wrote. */
  cleanUp(): Promise<void>;
  close(): Promise<void>;
}

export interface VersionForm {
  /** `quoted`, `unquoted`, or `opaque`. */
  name: string;
  /** The version as the probe sends it in this form. */
  of(version: string): string;
}
