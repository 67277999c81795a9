import type { Hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { createHasher, hashBuffer } from '../checksum/index.js';
import { gunzipBufferSync } from '../compress/index.js';
import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { reviveError, serializeError, type SerializedError } from '../errors/thread-errors.js';
import { builtWorkerFile } from '../util/built-worker.js';
import type { ChecksumType } from './model.js';

/**
 * The checksum of what a metadata file decompresses to (repomd.xml's open-checksum), fed in file order.
 * A chunked write copies most members from the previous snapshot, yet must still hash their content; that
 * means decompressing them, which at tens of thousands of packages is most of the write's CPU time.
 * OpenHashThread does it on a worker thread, beside the rest of the write.
 */
export interface OpenHasher {
  /** Content as it is (a member this write compressed itself, the header, the footer). */
  update(content: Uint8Array): void;
  /**
   * A gzip member copied as it is: its content is hashed, and must be `openSize` bytes long. `key` names
   * the member as OpenHashThread.preload does (see memberKey), so a thread that has already decompressed
   * it uses that.
   */
  updateGzip(member: Uint8Array, openSize: number, what: string, key?: string): void;
  /** Checksum and size of everything fed; rejects with the first problem met (E_REPODATA_INVALID). */
  digest(): Promise<{ value: string; size: number }>;
}

/** The running state of one file's open checksum; the same steps whichever thread runs them. */
export class OpenHashState {
  private readonly hash: Hash;
  private size = 0;

  constructor(type: ChecksumType) {
    this.hash = createHasher(type);
  }

  update(content: Uint8Array): void {
    this.hash.update(content);
    this.size += content.length;
  }

  /** `inflated`: the member's content, decompressed ahead of time from bytes known to be the same. */
  updateGzip(member: Uint8Array, openSize: number, what: string, inflated?: Buffer): void {
    const content = inflated ?? gunzipBufferSync(member, what, openSize);
    if (content.length !== openSize) {
      throw new OvirtRepoError(ErrorCodes.REPODATA_INVALID, `${what} holds ${content.length} bytes, its index says ${openSize}`, {
        hint: 'the earlier metadata does not match its chunk index; remove the index file to write the metadata afresh',
      });
    }
    this.update(content);
  }

  digest(): { value: string; size: number } {
    return { value: this.hash.digest('hex'), size: this.size };
  }
}

/** On the calling thread: a copied member's problem is thrown by updateGzip itself. */
export function inThreadOpenHasher(type: ChecksumType): OpenHasher {
  const state = new OpenHashState(type);
  return {
    update: (content) => state.update(content),
    updateGzip: (member, openSize, what) => state.updateGzip(member, openSize, what),
    digest: async () => state.digest(),
  };
}

/**
 * A file whose members the thread may decompress before they are asked for: an earlier snapshot's
 * metadata, while the sync is still choosing packages. Its bytes are read by the thread and used only if
 * they have `checksum`, the checksum the writer verified its own copy against.
 */
export interface PreloadFile {
  path: string;
  checksum: string;
  checksumType: ChecksumType;
  /** Offset, compressed size and uncompressed size of each member. */
  members: ReadonlyArray<readonly [number, number, number]>;
}

/** Names a member of a file by content (the file's checksum) and place, for PreloadFile and updateGzip. */
export const memberKey = (fileChecksum: string, offset: number, size: number): string => `${fileChecksum}:${offset}:${size}`;

/** Preloading stops at this much decompressed content, so a huge repo does not fill memory. */
const PRELOAD_LIMIT = 512 * 1024 * 1024;

/** Messages to the worker: `s` names the stream (one per file). */
export type OpenHashRequest =
  | { preload: PreloadFile[] }
  | { s: number; type: ChecksumType; open: true }
  | { s: number; content: Uint8Array }
  | { s: number; member: Uint8Array; openSize: number; what: string; key?: string }
  | { s: number; end: true };

/** Its answers, one per stream, after that stream's `end`. */
export type OpenHashReply = { s: number; value: string; size: number } | { s: number; error: SerializedError };

const WORKER = 'repodata/open-hash.worker.js';

/**
 * One worker thread hashing the content of several files, each an OpenHasher of its own. Bytes are
 * copied before they are sent: a view of a larger buffer would otherwise take the whole buffer along.
 */
export class OpenHashThread {
  private readonly pending = new Map<number, { resolve: (d: { value: string; size: number }) => void; reject: (e: unknown) => void }>();
  private streams = 0;
  private failure: unknown;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: OpenHashReply) => {
      const waiting = this.pending.get(m.s);
      this.pending.delete(m.s);
      if ('error' in m) waiting?.reject(reviveError(m.error, 'the metadata hashing thread'));
      else waiting?.resolve({ value: m.value, size: m.size });
    });
    const fail = (e: unknown) => {
      this.failure ??= e instanceof OvirtRepoError ? e : new OvirtRepoError(ErrorCodes.INTERNAL, `the metadata hashing thread failed: ${(e as Error).message ?? String(e)}`);
      for (const w of this.pending.values()) w.reject(this.failure);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', () => fail(new Error('it exited before answering')));
    // Only open streams keep the process alive (see hasher and close).
    worker.unref();
  }

  /** Decompresses these files' members in the background, so hashing them later only hashes. */
  preload(files: PreloadFile[]): void {
    if (!this.failure) this.worker.postMessage({ preload: files } satisfies OpenHashRequest);
  }

  /** A thread, or undefined where core is not built (its sources run under a test runner). */
  static async start(): Promise<OpenHashThread | undefined> {
    const file = builtWorkerFile(WORKER);
    if (!file) return undefined;
    const { Worker } = await import('node:worker_threads');
    return new OpenHashThread(new Worker(file));
  }

  hasher(type: ChecksumType): OpenHasher {
    const s = this.streams++;
    const post = (m: OpenHashRequest, transfer?: ArrayBuffer) => {
      if (!this.failure) this.worker.postMessage(m, transfer ? [transfer] : []);
    };
    post({ s, type, open: true });
    let ended: Promise<{ value: string; size: number }> | undefined;
    return {
      update: (content) => {
        const copy = new Uint8Array(content);
        post({ s, content: copy }, copy.buffer);
      },
      updateGzip: (member, openSize, what, key) => {
        const copy = new Uint8Array(member);
        post({ s, member: copy, openSize, what, ...(key ? { key } : {}) }, copy.buffer);
      },
      digest: () =>
        (ended ??= new Promise<{ value: string; size: number }>((resolve, reject) => {
          if (this.failure) return reject(this.failure);
          this.pending.set(s, { resolve, reject });
          this.worker.ref();
          post({ s, end: true });
        }).finally(() => {
          if (this.pending.size === 0) this.worker.unref();
        })),
    };
  }

  /** Ends the thread; a digest not yet answered is rejected. */
  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
    for (const w of this.pending.values()) w.reject(new OvirtRepoError(ErrorCodes.INTERNAL, 'the metadata hashing thread was closed before it answered'));
    this.pending.clear();
  }
}

/**
 * The worker's side: applies requests to per-stream states; a stream that failed answers with its error.
 * Preloaded members wait in `inflated` until a stream asks for them by key.
 */
export function openHashServer(reply: (m: OpenHashReply) => void): (m: OpenHashRequest) => void {
  const states = new Map<number, { state: OpenHashState; error?: unknown }>();
  const inflated = new Map<string, Buffer>();
  return (m) => {
    if ('preload' in m) {
      preloadInto(inflated, m.preload);
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
      if ('content' in m) stream.state.update(m.content);
      else {
        const ready = m.key === undefined ? undefined : inflated.get(m.key);
        if (m.key !== undefined) inflated.delete(m.key);
        stream.state.updateGzip(m.member, m.openSize, m.what, ready);
      }
    } catch (e) {
      stream.error = e;
    }
  };
}

/** Best effort: a file that cannot be read, or is not the file named, is skipped (its members are then decompressed when asked for). */
function preloadInto(inflated: Map<string, Buffer>, files: readonly PreloadFile[]): void {
  let total = 0;
  for (const f of files) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(f.path);
    } catch {
      continue;
    }
    if (hashBuffer(bytes, f.checksumType).value !== f.checksum) continue;
    for (const [offset, size, openSize] of f.members) {
      if ((total += openSize) > PRELOAD_LIMIT) return;
      try {
        const content = gunzipBufferSync(bytes.subarray(offset, offset + size), f.path, openSize);
        if (content.length === openSize) inflated.set(memberKey(f.checksum, offset, size), content);
      } catch {
        // left to the request, which reports it
      }
    }
  }
}
