import { closeSync, fstatSync, openSync } from 'node:fs';
// Single modules, not the indexes: the hashing thread loads this file, and nothing it does not use.
import { hashBuffer } from '../checksum/hash.js';
import { gunzipBufferSync } from '../compress/gunzip-sync.js';
import { readFullySync } from '../fs/read-fully.js';
import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { serializeError, type SerializedError } from '../errors/thread-errors.js';
import type { ChecksumType } from './model.js';
import { OpenContentCache } from './open-cache.js';
import { memberKey, OpenHashState, type PreloadFile } from './open-hash.js';

/**
 * Messages to the hashing thread. `s` names a stream (one per file). A copied member comes with its bytes,
 * unless it is in a file the thread preloaded (then `key` names it, and the thread has the same bytes).
 * `member` beside `content`: the compressed bytes of content this write compressed itself, for the cache.
 * `keep` beside `retain`: cache entries the calling thread used itself (OpenHashThread.localHasher).
 */
export type OpenHashRequest =
  | { preload: PreloadFile[] }
  | { retain: true; keep?: string[] }
  | { s: number; type: ChecksumType; open: true }
  | { s: number; content: Uint8Array; member?: Uint8Array }
  | { s: number; copy: { member?: Uint8Array; openSize: number; what: string; key?: string } }
  | { s: number; end: true };

/**
 * Its answers: one per stream after its `end`; after a preload, the files it holds (read, and found to be
 * the files named); after `retain`, how many cache entries it removed.
 */
export type OpenHashReply =
  | { s: number; value: string; size: number }
  | { s: number; error: SerializedError }
  | { preloaded: PreloadedFile[] }
  | { retained: number };

/**
 * A file the thread read and found to be the file named: its bytes are in memory shared with the thread
 * that asked (a SharedArrayBuffer), so that thread uses them instead of reading and verifying it again.
 * Nobody writes to them.
 */
export interface PreloadedFile {
  checksum: string;
  bytes: Uint8Array;
}

/** Preloading decompresses members the cache lacks until this much content is held in memory. */
const PRELOAD_LIMIT = 512 * 1024 * 1024;

/** A member of a preloaded file: its bytes, its cache name, its content once decompressed ahead. */
interface HeldMember {
  member: Buffer;
  openSize: number;
  name: string;
  inflated?: Buffer;
}

/**
 * The worker's side: applies requests to per-stream states; a stream that failed answers with its error.
 * With a cache, copied members are read from it (see OpenContentCache), members it lacks
 * are decompressed and put there, and `retain` keeps only the members the streams used.
 */
export function openHashServer(reply: (m: OpenHashReply) => void, cache?: OpenContentCache): (m: OpenHashRequest) => void {
  const states = new Map<number, { state: OpenHashState; error?: unknown }>();
  const held = new Map<string, HeldMember>();
  const used = new Set<string>();

  const contentOf = (m: Extract<OpenHashRequest, { copy: unknown }>['copy']): Buffer => {
    const h = m.key === undefined ? undefined : held.get(m.key);
    const member = h?.member ?? m.member;
    if (!member) throw new OvirtRepoError(ErrorCodes.INTERNAL, `${m.what} was sent without its bytes, and no preloaded file holds it`);
    const name = cache ? (h?.name ?? OpenContentCache.nameOf(member)) : undefined;
    if (name !== undefined) used.add(name);
    if (h?.inflated) {
      const content = h.inflated;
      h.inflated = undefined;
      return content;
    }
    if (!cache || name === undefined) return gunzipBufferSync(member, m.what, m.openSize);
    return cache.contentOf(name, member, m.openSize, m.what);
  };

  return (m) => {
    if ('preload' in m) {
      reply({ preloaded: preloadInto(held, m.preload, cache) });
      if (cache) inflateMisses(held, cache);
      return;
    }
    if ('retain' in m) {
      reply({ retained: cache ? cache.retain(new Set([...used, ...(m.keep ?? [])])) : 0 });
      return;
    }
    if ('open' in m) {
      states.set(m.s, { state: new OpenHashState(m.type) });
      return;
    }
    const stream = states.get(m.s);
    if (!stream) return;
    if ('end' in m) {
      states.delete(m.s);
      reply(stream.error ? { s: m.s, error: serializeError(stream.error) } : { s: m.s, ...stream.state.digest() });
      return;
    }
    if (stream.error) return;
    try {
      if ('content' in m) {
        stream.state.update(m.content);
        if (cache && m.member) {
          const name = OpenContentCache.nameOf(m.member);
          used.add(name);
          cache.write(name, m.content);
        }
      } else {
        stream.state.updateCopied(contentOf(m.copy), m.copy.openSize, m.copy.what);
      }
    } catch (e) {
      stream.error = e;
    }
  };
}

/**
 * Reads the files and keeps the members of those that are the files named; those files. Best
 * effort: a file that cannot be read, or is another file, is left out (its members then come with their
 * bytes). Without a cache, members are decompressed here, ahead of their requests.
 */
function preloadInto(held: Map<string, HeldMember>, files: readonly PreloadFile[], cache: OpenContentCache | undefined): PreloadedFile[] {
  const out: PreloadedFile[] = [];
  let total = 0;
  for (const f of files) {
    const bytes = readShared(f.path);
    if (!bytes || hashBuffer(bytes, f.checksumType).value !== f.checksum) continue;
    out.push({ checksum: f.checksum, bytes });
    for (const [offset, size, openSize] of f.members) {
      const member = bytes.subarray(offset, offset + size);
      const h: HeldMember = { member, openSize, name: cache ? OpenContentCache.nameOf(member) : '' };
      held.set(memberKey(f.checksum, offset, size), h);
      if (!cache && (total += openSize) <= PRELOAD_LIMIT) h.inflated = inflateOrUndefined(member, f.path, openSize);
    }
  }
  return out;
}

/** Decompresses, ahead of their requests, the held members the cache does not have, and caches them. */
function inflateMisses(held: Map<string, HeldMember>, cache: OpenContentCache): void {
  let total = 0;
  for (const h of held.values()) {
    if (cache.has(h.name)) continue;
    const content = inflateOrUndefined(h.member, cache.dir, h.openSize);
    if (!content) continue;
    cache.write(h.name, content);
    if ((total += content.length) <= PRELOAD_LIMIT) h.inflated = content;
  }
}

/** A file's bytes in a SharedArrayBuffer; undefined if it cannot be read (or changes size as it is). */
function readShared(path: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const bytes = Buffer.from(new SharedArrayBuffer(size));
    return readFullySync(fd, bytes, 0) === size ? bytes : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function inflateOrUndefined(member: Buffer, what: string, openSize: number): Buffer | undefined {
  try {
    const content = gunzipBufferSync(member, what, openSize);
    return content.length === openSize ? content : undefined;
  } catch {
    // left to the request, which reports it
    return undefined;
  }
}
