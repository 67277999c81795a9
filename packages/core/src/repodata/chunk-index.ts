import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import type { PackageRecord } from './model.js';
import { isRenderedPackage, type RenderedPackage } from './package-entries.js';
import type { CoreRecordType } from './repomd-model.js';

/*
 * Chunked metadata: primary, filelists and other written as concatenated gzip members (RFC 1952 allows
 * any number; zlib, and so dnf, createrepo_c and Python, read them as one stream). A header member, then
 * one member per chunk of packages, then a footer member. Chunk boundaries depend only on the packages'
 * keys (content-defined, as in rsync or casync), so a later write over nearly the same packages, in the
 * same order, has the same chunks where nothing changed and can copy their compressed bytes instead of
 * rendering and compressing them again: the cost of a snapshot then follows what changed, not the size of
 * the repo.
 */

/** Where a member is in its file: byte offset, compressed size, uncompressed size. */
export type MemberSpan = readonly [offset: number, size: number, openSize: number];

/** A chunk of a chunked write: how many packages it holds (the next ones in write order) and its members. */
export interface MetadataChunk {
  readonly count: number;
  readonly members: Readonly<Record<CoreRecordType, MemberSpan>>;
}

/** What a chunked write produced: enough for a later write to copy its chunks. */
export interface ChunkIndex {
  /** The files the chunks are members of, as repomd.xml records them. */
  readonly files: Readonly<Record<CoreRecordType, { readonly href: string; readonly checksum: string; readonly size: number }>>;
  readonly chunks: readonly MetadataChunk[];
}

/** A chunk's members as an earlier write made them, to copy as they are. */
export type ReusedChunk = Readonly<Record<CoreRecordType, { readonly compressed: Buffer; readonly openSize: number }>>;

/**
 * A chunk of an earlier write given to a chunked write in place of its `count` packages: where the write
 * is at a chunk's end, copied as it is without the writer looking at its packages. Elsewhere (after
 * packages that did not end a chunk) its `packages()` are chunked one by one, as if they had come that
 * way. Either way the same files as giving the packages; a caller gives whole chunks where it knows they
 * come unchanged, so a write copying thousands of packages does next to no work per package.
 */
export interface CopiedChunk {
  readonly copiedChunk: ReusedChunk;
  readonly count: number;
  /** Its packages, as deferred ones (see ChunkedMetadata.deferredAt). */
  packages(): readonly DeferredPackage[];
}

export function isCopiedChunk(p: object): p is CopiedChunk {
  return 'copiedChunk' in p;
}

/**
 * A package whose entries are loaded only if its chunk cannot be copied: for packages of an earlier write,
 * where loading means decompressing and splitting that write's chunk.
 */
export interface DeferredPackage {
  readonly key: string;
  load(): Promise<RenderedPackage>;
}

export function isDeferredPackage(p: object): p is DeferredPackage {
  return 'load' in p && typeof (p as DeferredPackage).load === 'function';
}

/** About 1 package in CHUNK_SPREAD ends a chunk. */
const CHUNK_SPREAD = 256;

/**
 * True when the package with this key ends its chunk. A murmur3 finaliser over FNV-1a of the key: cheap,
 * and its low bits are spread evenly, so chunks average CHUNK_SPREAD packages.
 */
export function endsChunk(key: string): boolean {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % CHUNK_SPREAD === 0;
}

/** The key a package is chunked by: its primary location href. */
export function packageKey(p: PackageRecord | RenderedPackage | DeferredPackage): string {
  if (isDeferredPackage(p)) return p.key;
  if (isRenderedPackage(p)) {
    if (p.key === undefined) {
      throw new OvirtRepoError(ErrorCodes.USAGE, 'a rendered package without a key cannot be written as chunked metadata', {
        hint: 'give each RenderedPackage its location href as key',
      });
    }
    return p.key;
  }
  return p.location.href;
}
