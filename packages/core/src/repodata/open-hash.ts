import type { Hash } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
// Single modules, not the indexes: the hashing thread loads this file, and nothing it does not use.
import { createHasher } from '../checksum/hash.js';
import { gunzipBufferSync } from '../compress/gunzip-sync.js';
import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { reviveError } from '../errors/thread-errors.js';
import { builtWorkerFile } from '../util/built-worker.js';
import type { ChecksumType } from './model.js';
import { OpenContentCache } from './open-cache.js';
import type { OpenHashReply, OpenHashRequest, PreloadedFile } from './open-hash-server.js';

/**
 * The checksum of what a metadata file decompresses to (repomd.xml's open-checksum), fed in file order.
 * A chunked write copies most members from the previous snapshot, yet must still hash their content; that
 * means decompressing them, which at tens of thousands of packages is most of the write's CPU time.
 * OpenHashThread does it on a worker thread, beside the rest of the write.
 */
export interface OpenHasher {
  /**
   * Content as it is (a member this write compressed itself, the header, the footer); `member`, the
   * compressed bytes of it, lets a thread with a cache keep the content for the next write.
   */
  update(content: Uint8Array, member?: Uint8Array): void;
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

  updateGzip(member: Uint8Array, openSize: number, what: string): void {
    this.updateCopied(gunzipBufferSync(member, what, openSize), openSize, what);
  }

  /** A copied member's content, decompressed from it (or known to be what it decompresses to). */
  updateCopied(content: Uint8Array, openSize: number, what: string): void {
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

const WORKER = 'repodata/open-hash.worker.js';

/** Options of OpenHashThread.start. */
export interface OpenHashThreadOptions {
  /**
   * Keep the content of members between writes in this directory (see OpenContentCache), so copied
   * members are read back instead of decompressed. One writer at a time: the caller's lock must cover it.
   */
  cacheDir?: string;
}

type Waiter<T> = { resolve: (v: T) => void; reject: (e: unknown) => void };

/**
 * One worker thread hashing the content of several files, each an OpenHasher of its own. Bytes are
 * copied before they are sent (a view of a larger buffer would otherwise take the whole buffer along),
 * except a preloaded file's members, which the thread already has: those are named, not sent.
 */
export class OpenHashThread {
  private readonly streams = new Map<number, Waiter<{ value: string; size: number }>>();
  private readonly preloads: Array<Waiter<PreloadedFile[]>> = [];
  private readonly retains: Array<Waiter<number>> = [];
  /** The preloaded files the thread holds (as it answered), by checksum: their bytes, shared with it. */
  private readonly held = new Map<string, Uint8Array>();
  private preloaded: Promise<unknown> = Promise.resolve();
  private nextStream = 0;
  private failure: unknown;

  /** Cache entries the calling thread's hashers used (see localHasher), kept by retainCache. */
  private readonly localUsed = new Set<string>();

  private constructor(
    private readonly worker: Worker,
    /** The thread's cache, also used by hashers on the calling thread. */
    private readonly cache: OpenContentCache | undefined,
  ) {
    worker.on('message', (m: OpenHashReply) => {
      if ('preloaded' in m) return this.settle(this.preloads.shift(), m.preloaded);
      if ('retained' in m) return this.settle(this.retains.shift(), m.retained);
      const waiting = this.streams.get(m.s);
      this.streams.delete(m.s);
      if ('error' in m) this.settle(waiting, undefined, reviveError(m.error, 'the metadata hashing thread'));
      else this.settle(waiting, { value: m.value, size: m.size });
    });
    const fail = (e: unknown) => {
      this.failure ??= e instanceof OvirtRepoError ? e : new OvirtRepoError(ErrorCodes.INTERNAL, `the metadata hashing thread failed: ${(e as Error).message ?? String(e)}`);
      this.rejectAll(this.failure);
    };
    worker.on('error', fail);
    worker.on('exit', () => fail(new Error('it exited before answering')));
    // Only requests waiting for an answer keep the process alive (see ask and close).
    worker.unref();
  }

  /** A thread, or undefined where core is not built (its sources run under a test runner). */
  static async start(options: OpenHashThreadOptions = {}): Promise<OpenHashThread | undefined> {
    const file = builtWorkerFile(WORKER);
    if (!file) return undefined;
    const { Worker } = await import('node:worker_threads');
    return new OpenHashThread(new Worker(file, { workerData: { cacheDir: options.cacheDir } }), options.cacheDir === undefined ? undefined : new OpenContentCache(options.cacheDir));
  }

  /**
   * Has the thread read these files, so that their members are named rather than sent when copied, and
   * made ready to hash (from its cache, or decompressed in the background). Best effort: a file it cannot
   * read, or that is not the file named, is left out. See ready().
   */
  preload(files: PreloadFile[]): void {
    const answer = this.ask(this.preloads, { preload: files }).then((held) => held.forEach((f) => this.held.set(f.checksum, f.bytes)));
    this.preloaded = answer.catch(() => undefined);
  }

  /** Resolves once the thread has said which preloaded files it holds (it never rejects). */
  ready(): Promise<void> {
    return this.preloaded.then(() => undefined);
  }

  /**
   * The bytes of a preloaded file with this checksum, once the thread has read it and found it to have
   * that checksum (undefined if it did not: then read it yourself). Memory shared with the thread, which
   * never writes to it: a caller that also needs the file takes it from here instead of reading and
   * verifying it again. Never rejects.
   */
  async preloadedFile(checksum: string): Promise<Uint8Array | undefined> {
    await this.preloaded;
    return this.held.get(checksum);
  }

  /**
   * After a write that is kept: the cache keeps only the members this thread's streams used (what the
   * next write will copy), removing the rest. How many entries it removed.
   */
  retainCache(): Promise<number> {
    return this.ask(this.retains, { retain: true, keep: [...this.localUsed] });
  }

  /**
   * A hasher on the calling thread reading copied members' content from the same cache (undefined when
   * the thread has none): a write hashes its largest file on the thread and the others here, so that the
   * two share the work instead of the write waiting for the thread at its end.
   */
  localHasher(type: ChecksumType): OpenHasher | undefined {
    const { cache, localUsed } = this;
    if (!cache) return undefined;
    const state = new OpenHashState(type);
    const named = (member: Uint8Array) => {
      const name = OpenContentCache.nameOf(member);
      localUsed.add(name);
      return name;
    };
    return {
      update: (content, member) => {
        state.update(content);
        if (member) cache.write(named(member), content);
      },
      updateGzip: (member, openSize, what) => state.updateCopied(cache.contentOf(named(member), member, openSize, what), openSize, what),
      digest: async () => state.digest(),
    };
  }

  hasher(type: ChecksumType): OpenHasher {
    const s = this.nextStream++;
    const post = (m: OpenHashRequest, transfer: ArrayBuffer[] = []) => {
      if (!this.failure) this.worker.postMessage(m, transfer);
    };
    post({ s, type, open: true });
    let ended: Promise<{ value: string; size: number }> | undefined;
    return {
      update: (content, member) => {
        const copy = new Uint8Array(content);
        const bytes = member && new Uint8Array(member);
        post({ s, content: copy, ...(bytes ? { member: bytes } : {}) }, bytes ? [copy.buffer, bytes.buffer] : [copy.buffer]);
      },
      updateGzip: (member, openSize, what, key) => {
        if (key !== undefined && this.held.has(fileOfKey(key))) return post({ s, copy: { openSize, what, key } });
        const copy = new Uint8Array(member);
        post({ s, copy: { member: copy, openSize, what, ...(key ? { key } : {}) } }, [copy.buffer]);
      },
      digest: () => {
        if (!ended) {
          ended = new Promise((resolve, reject) => {
            if (this.failure) return reject(this.failure);
            this.streams.set(s, { resolve, reject });
            this.worker.ref();
            post({ s, end: true });
          });
        }
        return ended;
      },
    };
  }

  /** Ends the thread; a request not yet answered is rejected. */
  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
    this.rejectAll(new OvirtRepoError(ErrorCodes.INTERNAL, 'the metadata hashing thread was closed before it answered'));
  }

  private ask<T>(queue: Array<Waiter<T>>, m: OpenHashRequest): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      queue.push({ resolve, reject });
      this.worker.ref();
      this.worker.postMessage(m);
    });
  }

  private settle<T>(waiter: Waiter<T> | undefined, value: T | undefined, error?: unknown): void {
    if (error !== undefined) waiter?.reject(error);
    else waiter?.resolve(value as T);
    if (this.waiting() === 0) this.worker.unref();
  }

  private waiting(): number {
    return this.streams.size + this.preloads.length + this.retains.length;
  }

  private rejectAll(e: unknown): void {
    for (const w of [...this.streams.values(), ...this.preloads, ...this.retains]) w.reject(e);
    this.streams.clear();
    this.preloads.length = 0;
    this.retains.length = 0;
  }
}

const fileOfKey = (key: string) => key.slice(0, key.indexOf(':'));
