import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, rename, rm, rmdir, stat, symlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_READ_MAX_BYTES,
  DEFAULT_STALE_AFTER_MS,
  ErrorCodes,
  OvirtRepoError,
  acquireLock,
  baseKey,
  fsyncPath,
  inspectLock,
  ioError,
  isTempName,
  joinKey,
  makeDirectory,
  mapLimit,
  parentKey,
  staleReason,
  storeKey,
  syncFileSystem,
  tempPathFor,
  withLock,
  type DeferredCreateCapable,
  type LocalFilesCapable,
  type LockOptions,
  type LockOwner,
  type PreparedObject,
  type StagedWrite,
  type StagedWriteCapable,
  type Store,
  type StoreData,
  type StoreEntry,
  type StoreLock,
  type StoreObject,
  type StoreStream,
  type SymlinkCapable,
} from '@ovirt-repo/core';
import { LOCKS_DIR } from '../layout.js';
import { claimDirectory } from './claim.js';
import { assertTargetInside, entryOf, etagOf, isKeySegment, missingAsUndefined, openObject, tooLarge, versionOf, wrap } from './entries.js';
import { linkIntoPlace, renameDurably, writeNewFile } from './files.js';
import { Inside } from './inside.js';
import { LocalStagedWrite } from './staged-write.js';

/**
 * The store as a directory on this machine (or a shared filesystem): keys are files and directories below
 * the root, so any static web server serves it. Writes are crash-safe: a temp name in the same directory,
 * fsync, then link(2) (create: never over an existing file) or rename(2) (replace), then an fsync of the
 * directory. Directories are made with core's makeDirectory and removed again when a remove empties them
 * (see #prune). Nothing outside the root is ever touched (inside.ts).
 */
export class LocalStore implements Store, LocalFilesCapable, SymlinkCapable, StagedWriteCapable, DeferredCreateCapable {
  readonly scheme = 'file';
  readonly location: string;
  readonly #inside: Inside;

  constructor(readonly root: string) {
    this.location = root;
    this.#inside = new Inside(root);
  }

  locationOf(key: string): string {
    return key === '' ? this.root : `${this.root}/${key}`;
  }

  localPath(key: string): string {
    return this.locationOf(storeKey(key, 'localPath'));
  }

  async read(key: string, options: { maxBytes?: number } = {}): Promise<StoreObject | undefined> {
    const path = await this.#reach(key, 'read', true);
    if (path === undefined) return undefined;
    const max = options.maxBytes ?? DEFAULT_READ_MAX_BYTES;
    try {
      const fh = await openObject(path, this.locationOf(key));
      if (!fh) return undefined;
      try {
        const { size } = await fh.stat();
        if (size > max) throw tooLarge(this.locationOf(key), size, max);
        const data = await fh.readFile();
        if (data.length > max) throw tooLarge(this.locationOf(key), data.length, max);
        return { data, version: versionOf(data) };
      } finally {
        await fh.close();
      }
    } catch (e) {
      throw wrap(e, 'read', this.locationOf(key));
    }
  }

  async open(key: string, options: { start?: number; end?: number } = {}): Promise<StoreStream | undefined> {
    const path = await this.#reach(key, 'open', true);
    if (path === undefined) return undefined;
    try {
      const fh = await openObject(path, this.locationOf(key));
      if (!fh) return undefined;
      const st = await fh.stat().catch(async (e: unknown) => {
        await fh.close();
        throw e;
      });
      const stream = createReadStream('', { fd: fh, start: options.start, end: options.end, autoClose: true });
      return { stream, size: st.size, etag: etagOf(st), mtimeMs: st.mtimeMs };
    } catch (e) {
      throw wrap(e, 'open', this.locationOf(key));
    }
  }

  async stat(key: string, options: { follow?: boolean } = {}): Promise<StoreEntry | undefined> {
    const follow = options.follow ?? false;
    const path = await this.#reach(key, 'stat', follow);
    if (path === undefined) return undefined;
    try {
      const st = await (follow ? stat(path) : lstat(path)).catch(missingAsUndefined);
      return st && (await entryOf(key, path, st));
    } catch (e) {
      throw wrap(e, 'stat', this.locationOf(key));
    }
  }

  async list(prefix: string, options: { recursive?: boolean } = {}): Promise<StoreEntry[]> {
    const dir = await this.#reach(prefix, 'list', true);
    if (dir === undefined) return [];
    const out: StoreEntry[] = [];
    const walk = async (key: string, path: string): Promise<void> => {
      const names = await readdir(path).catch((e: unknown) => {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return [] as string[];
        throw e;
      });
      const keys = names.filter((n) => !n.startsWith('.') && isKeySegment(n));
      const entries = await mapLimit(keys, 16, async (name) => {
        const st = await lstat(join(path, name)).catch(missingAsUndefined);
        return st && (await entryOf(joinKey(key, name), join(path, name), st));
      });
      for (const e of entries) {
        if (!e) continue;
        if (e.type !== 'prefix') out.push(e);
        else if (options.recursive) await walk(e.key, join(path, baseKey(e.key)));
        else out.push(e);
      }
    };
    try {
      await walk(prefix, dir);
    } catch (e) {
      throw wrap(e, 'list', this.locationOf(prefix));
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async create(key: string, data: StoreData): Promise<boolean> {
    const prepared = await this.prepare(key, data, 'create');
    return prepared.commit();
  }

  async prepare(key: string, data: StoreData, operation = 'create'): Promise<PreparedObject> {
    const path = await this.#reachForWrite(key, operation, data);
    const tmp = tempPathFor(path);
    let size: number;
    try {
      size = await writeNewFile(tmp, data, { sync: false });
    } catch (e) {
      throw wrap(e, operation, this.locationOf(key));
    }
    let settled = false;
    return {
      key,
      size,
      commit: async (options = {}) => {
        if (settled) return false;
        settled = true;
        try {
          if (!options.flushed) await fsyncPath(tmp);
          const created = await linkIntoPlace(tmp, path);
          if (created && !options.flushed) await fsyncPath(dirname(path));
          return created;
        } catch (e) {
          await rm(tmp, { force: true });
          throw wrap(e, operation, this.locationOf(key));
        }
      },
      discard: async () => {
        if (settled) return;
        settled = true;
        await rm(tmp, { force: true });
      },
    };
  }

  async flush(prefix: string): Promise<boolean> {
    return syncFileSystem(this.localPath(prefix));
  }

  async replace(key: string, data: string | Uint8Array, expected: string | null): Promise<string> {
    const path = await this.#reachForWrite(key, 'replace');
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const where = this.locationOf(key);
    // Replacers of one key take turns under this guard, for the milliseconds a replace takes; its temp file
    // is made in the root, where no cleaner of a deeper directory (a repo's writer) can take it away.
    const guard = join(this.root, LOCKS_DIR, `replace-${createHash('sha256').update(key).digest('hex').slice(0, 16)}.lock`);
    return withLock(guard, { purpose: `replace ${key}`, timeoutMs: 60_000, staleAfterMs: 30_000, pollMs: 5, maxPollMs: 100 }, async () => {
      const current = await this.read(key);
      if ((current?.version ?? null) !== expected) {
        throw new OvirtRepoError(
          ErrorCodes.CONFLICT,
          expected === null ? `replace: ${where} exists already` : current ? `replace: ${where} changed since it was read` : `replace: ${where} was removed since it was read`,
          { target: where, hint: 'another writer changed it meanwhile; nothing was written. Retry the command', data: { expected, found: current?.version ?? null } },
        );
      }
      const tmp = tempPathFor(join(this.root, key.replaceAll('/', '.')));
      try {
        await writeNewFile(tmp, bytes, { sync: true });
        await renameDurably(tmp, path);
      } catch (e) {
        await rm(tmp, { force: true });
        throw wrap(e, 'replace', where);
      }
      return versionOf(bytes);
    });
  }

  async remove(key: string): Promise<void> {
    if (key === '') {
      throw new OvirtRepoError(ErrorCodes.UNSAFE_PATH, `remove: refusing to remove the store root ${this.root}`, { target: this.root, hint: 'name a key inside the store' });
    }
    const path = await this.#reach(key, 'remove', false);
    if (path === undefined) return;
    try {
      const st = await lstat(path).catch(missingAsUndefined);
      if (!st) return;
      if (st.isDirectory()) {
        // Out of sight at once (a rename), then deleted: a reader sees the whole prefix or none of it.
        const aside = tempPathFor(path);
        await rename(path, aside);
        await rm(aside, { recursive: true, force: true });
      } else {
        await rm(path, { force: true });
      }
      await this.#prune(parentKey(key));
    } catch (e) {
      throw wrap(e, 'remove', this.locationOf(key));
    }
  }

  async removeLeftovers(prefix: string, options: { olderThanMs: number; recursive?: boolean }): Promise<number> {
    const dir = await this.#reach(prefix, 'remove leftovers', true);
    if (dir === undefined) return 0;
    const now = Date.now();
    let removed = 0;
    const walk = async (path: string): Promise<void> => {
      const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        const p = join(path, e.name);
        if (isTempName(e.name)) {
          const st = await lstat(p).catch(missingAsUndefined);
          if (st && now - st.mtimeMs >= options.olderThanMs) {
            // Claimed by a rename first: a staged write whose writer was only paused commits by renaming
            // this directory, and exactly one of the two renames wins (staged-write.ts).
            const claimed = tempPathFor(p);
            try {
              await rename(p, claimed);
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
              throw err;
            }
            await rm(claimed, { recursive: true, force: true });
            removed++;
          }
        } else if (options.recursive && e.isDirectory()) await walk(p);
      }
    };
    try {
      await walk(dir);
    } catch (e) {
      throw wrap(e, 'remove leftovers', this.locationOf(prefix));
    }
    return removed;
  }

  async lock(name: string, options: LockOptions): Promise<StoreLock> {
    const lock = await acquireLock(this.#lockPath(name), options);
    return { name, owner: lock.owner, assertHeld: () => lock.assertHeld(), release: () => lock.release() };
  }

  async lockHolder(name: string, options: { staleAfterMs?: number } = {}): Promise<{ owner?: LockOwner } | undefined> {
    const o = await inspectLock(this.#lockPath(name));
    if (!o || staleReason(o, options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS)) return undefined;
    return o.owner ? { owner: o.owner } : {};
  }

  async symlink(key: string, target: string): Promise<boolean> {
    const path = await this.#reachForWrite(key, 'symlink');
    assertTargetInside(key, target, this.locationOf(key));
    try {
      await makeDirectory(dirname(path));
      await symlink(target, path);
      await fsyncPath(dirname(path));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw wrap(e, 'symlink', this.locationOf(key));
    }
  }

  async stage(prefix: string): Promise<StagedWrite> {
    const path = await this.#reachForWrite(prefix, 'stage');
    try {
      return await LocalStagedWrite.start(prefix, path, this.locationOf(prefix), (key, target) => assertTargetInside(joinKey(prefix, key), target, this.locationOf(joinKey(prefix, key))));
    } catch (e) {
      throw wrap(e, 'stage', this.locationOf(prefix));
    }
  }

  /** The path of `key` once it is known to stay inside the store; undefined when the store's root is missing. */
  async #reach(key: string, operation: string, follow: boolean): Promise<string | undefined> {
    const path = this.locationOf(storeKey(key, operation));
    const checked = follow || key === '' ? this.#inside.check(path, operation, this.locationOf(key)) : this.#inside.checkPart(dirname(path), operation, this.locationOf(key));
    const inside = await checked.catch((e: unknown) => {
      throw wrap(e, operation, this.locationOf(key));
    });
    return inside ? path : undefined;
  }

  async #reachForWrite(key: string, operation: string, data?: StoreData): Promise<string> {
    try {
      const path = await this.#reach(key, operation, false);
      if (path === undefined) throw ioError(operation, this.locationOf(key), Object.assign(new Error(`the store ${this.root} does not exist`), { code: 'ENOENT' }));
      return path;
    } catch (e) {
      if (data !== undefined && typeof data !== 'string' && !(data instanceof Uint8Array)) data.destroy();
      throw e;
    }
  }

  #lockPath(name: string): string {
    const n = storeKey(name, 'lock');
    if (n.includes('/') || n === '') throw new OvirtRepoError(ErrorCodes.UNSAFE_PATH, `lock: "${name}" is not a lock name (one segment)`, { hint: 'name locks like repo-<repo>' });
    return join(this.root, LOCKS_DIR, `${n}.lock`);
  }

  /**
   * Remove the directory `key` and its parents while they are empty, as prefixes vanish on an object store;
   * but never a part of the store or a directory directly in one (a repo, a pool fan-out, the running-sync
   * registrations): those stand for something by existing.
   */
  async #prune(key: string): Promise<void> {
    for (let k = key; k.split('/').length > 2; k = parentKey(k)) {
      try {
        await rmdir(this.locationOf(k));
      } catch {
        return;
      }
    }
  }
}

/**
 * Open the directory store at `location` (a path or a file:// URL). With `create`, its directory is made
 * when missing (but by a dry run), and a directory that is not yet a store must be empty (claim.ts).
 */
export async function openLocalStore(location: string, options: { create?: boolean; dryRun?: boolean } = {}): Promise<LocalStore> {
  let root: string;
  try {
    root = resolve(location.startsWith('file:') ? fileURLToPath(location) : location);
  } catch (e) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `${location} is not a store directory: ${(e as Error).message}`, {
      hint: 'give a path, or a file:// URL of an absolute path such as file:///srv/repos',
    });
  }
  if (options.create) {
    if (!options.dryRun) await makeDirectory(root);
    await claimDirectory(root);
  }
  return new LocalStore(root);
}
