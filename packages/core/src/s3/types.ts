import type { Readable } from 'node:stream';
import type { S3Settings } from './settings.js';

export interface S3ObjectInfo {
  size: number;
  /** As the server gives it (quoted). */
  etag: string;
  lastModifiedMs?: number;
  /**
   * The server's clock when it answered (the Date header): what an age such as a lease's is measured
   * against, never this host's clock.
   */
  serverDateMs?: number;
  /** The Cache-Control the object was written with. */
  cacheControl?: string;
}

export interface S3ObjectStream extends S3ObjectInfo {
  /** The bytes asked for; consume or destroy it. */
  stream: Readable;
}

export interface S3PutOptions {
  /** The exact length of a stream body (S3 needs it before the first byte). */
  contentLength?: number;
  /** Hex SHA-256 of a stream body when the caller knows it: signed, so the server refuses other bytes. */
  sha256?: string;
  /** `*`: create only; E_CONFLICT when the key exists. */
  ifNoneMatch?: '*';
  /** Replace only while the object is this version (an ETag, sent as given); E_CONFLICT otherwise. */
  ifMatch?: string;
  contentType?: string;
  cacheControl?: string;
  signal?: AbortSignal;
}

export interface S3ListEntry {
  key: string;
  size: number;
  etag?: string;
  lastModifiedMs?: number;
}

export interface S3ListPage {
  objects: S3ListEntry[];
  /** With a delimiter: the "directories" one level down, each ending with the delimiter. */
  prefixes: string[];
  /** Where the next page starts; absent on the last page. */
  nextToken?: string;
}

export interface S3ListOptions {
  prefix?: string;
  delimiter?: string;
  /** A bound on everything one list() yields; more is E_FETCH. Default 10,000,000. */
  maxEntries?: number;
}

export interface S3Client {
  readonly settings: S3Settings;
  head(bucket: string, key: string): Promise<S3ObjectInfo | undefined>;
  /** The object, or bytes `range.start`..`range.end` (inclusive) of it; undefined when there is none. */
  get(bucket: string, key: string, options?: { range?: { start: number; end?: number }; signal?: AbortSignal }): Promise<S3ObjectStream | undefined>;
  /** A small object whole; more than `maxBytes` is E_FETCH. */
  getBytes(bucket: string, key: string, maxBytes: number): Promise<{ data: Buffer; etag: string } | undefined>;
  /** Write an object (at most MAX_PUT_BYTES, in one request). Returns its ETag. */
  put(bucket: string, key: string, body: string | Uint8Array | Readable, options?: S3PutOptions): Promise<{ etag: string }>;
  /** Delete an object; a missing one is fine. */
  delete(bucket: string, key: string): Promise<void>;
  /** One page of ListObjectsV2 (at most 1000 keys). */
  listPage(bucket: string, options: { prefix?: string; delimiter?: string; token?: string; maxKeys?: number }): Promise<S3ListPage>;
  /** Every page, entry by entry (objects, and with a delimiter prefixes as `{ key: prefix, size: -1 }`). */
  list(bucket: string, options?: S3ListOptions): AsyncGenerator<S3ListEntry>;
  /** Create a bucket (one this user owns already is fine). */
  createBucket(bucket: string): Promise<void>;
  /** Set the bucket's policy (a JSON document), e.g. anonymous GetObject for readers over plain HTTP. */
  putBucketPolicy(bucket: string, policy: string): Promise<void>;
  /** HTTP requests made (tests). */
  readonly requests: number;
  close(): void;
}
