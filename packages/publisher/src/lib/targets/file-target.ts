import { constants, createWriteStream } from 'node:fs';
import { chmod, copyFile, link, open, readdir, readlink, rename, rm, rmdir, stat, symlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_STALE_AFTER_MS,
  ErrorCodes,
  OvirtRepoError,
  acquireLock,
  fsyncPath,
  isLocalFile,
  isOvirtRepoError,
  nonRootTargetPath,
  normalizeTargetPath,
  putDataToStream,
  resolveLinkTarget,
  tempPathFor,
  type HardlinkCapable,
  type LocalPathCapable,
  type LockCapable,
  type PutData,
  type AtomicLinkCapable,
  type SyncTarget,
  type TargetEntry,
  type TargetLocation,
  type TargetLock,
  type TargetOpenOptions,
  makeDirectory,
} from '@ovirt-repo/core';
import { fsTargetError } from './target-error.js';

/**
 * A directory on this machine (a plain path or a file:// URL), e.g. the document root of the web server
 * that serves latest.tested, or an NFS mount of it. put = temp file in the same directory, fsync, rename,
 * fsync the directory; rename is rename(2); locks are the store's writer locks (core's acquireLock).
 */
export class FileTarget implements SyncTarget, LocalPathCapable, HardlinkCapable, LockCapable, AtomicLinkCapable {
  readonly scheme = 'file';
  readonly atomicRename = true;
  readonly limitations = [
    'A lock left by a publisher killed on another host is broken only after 15 minutes without heartbeat (on this host, at once).',
  ];
  readonly root: string;
  readonly location: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.location = this.root;
  }

  /** Factory for the registry: a path (relative to the working directory) or file:///abs/path. */
  static open(location: TargetLocation, options: TargetOpenOptions = {}): FileTarget {
    const unknown = Object.keys(options.settings ?? {});
    if (unknown.length > 0) {
      throw new OvirtRepoError(ErrorCodes.USAGE, `Unknown --target-option "${unknown[0]}" for ${location.raw}`, {
        hint: 'Local directories take no target options.',
      });
    }
    if (location.form === 'path') return new FileTarget(location.path ?? location.raw);
    const url = location.url;
    if (!url || (url.host !== '' && url.host !== 'localhost')) {
      throw new OvirtRepoError(ErrorCodes.USAGE, `Cannot use ${location.raw} as a local directory`, {
        target: location.raw,
        hint: 'Write file:///absolute/path (no host), a plain path, or use rsync://host/module/path or host:/path for another machine.',
      });
    }
    return new FileTarget(fileURLToPath(url));
  }

  localPath(path: string): string {
    const p = normalizeTargetPath(path);
    return p === '' ? this.root : join(this.root, ...p.split('/'));
  }

  private where(path: string): string {
    return this.localPath(path);
  }

  async list(prefix = ''): Promise<TargetEntry[]> {
    const start = normalizeTargetPath(prefix);
    const out: TargetEntry[] = [];
    const walk = async (rel: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(this.localPath(rel), { withFileTypes: true });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || (code === 'ENOTDIR' && rel === start)) return;
        throw fsTargetError('list', this.where(rel), e);
      }
      for (const d of entries) {
        const child = rel === '' ? d.name : `${rel}/${d.name}`;
        let isDir = d.isDirectory();
        let isFile = d.isFile();
        if (d.isSymbolicLink()) {
          const s = await stat(this.localPath(child)).catch(() => undefined);
          isDir = Boolean(s?.isDirectory());
          isFile = Boolean(s?.isFile());
        }
        if (isDir) await walk(child);
        else if (isFile) {
          const s = await stat(this.localPath(child)).catch(() => undefined);
          if (s) out.push({ path: child, type: 'file', size: s.size, mtimeMs: s.mtimeMs });
        }
      }
    };
    const top = await this.stat(start);
    if (top?.type === 'directory') await walk(start);
    return out;
  }

  async stat(path: string): Promise<TargetEntry | undefined> {
    const p = normalizeTargetPath(path);
    try {
      const s = await stat(this.localPath(p));
      if (s.isDirectory()) return { path: p, type: 'directory', size: 0, mtimeMs: s.mtimeMs };
      return { path: p, type: 'file', size: s.size, mtimeMs: s.mtimeMs };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw fsTargetError('stat', this.where(p), e);
    }
  }

  async read(path: string): Promise<Readable> {
    const p = normalizeTargetPath(path);
    try {
      const fh = await open(this.localPath(p), 'r');
      if ((await fh.stat()).isDirectory()) {
        await fh.close();
        throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      }
      return fh.createReadStream();
    } catch (e) {
      throw fsTargetError('read', this.where(p), e);
    }
  }

  async put(path: string, data: PutData): Promise<void> {
    const p = nonRootTargetPath(path, 'put');
    const dest = this.localPath(p);
    const tmp = tempPathFor(dest);
    try {
      await makeTargetDirectory(dirname(dest));
      if (isLocalFile(data)) {
        await copyFile(data.localFile, tmp, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
      } else {
        await pipeline(putDataToStream(data), createWriteStream(tmp, { flags: 'wx', mode: 0o644 }));
      }
      await chmod(tmp, 0o644);
      await fsyncPath(tmp);
      await rename(tmp, dest);
      await fsyncPath(dirname(dest));
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw isOvirtRepoError(e) ? e : fsTargetError('put', dest, e);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    const f = this.localPath(nonRootTargetPath(from, 'rename'));
    const t = this.localPath(nonRootTargetPath(to, 'rename onto'));
    try {
      await makeTargetDirectory(dirname(t));
      await rename(f, t);
      await fsyncPath(dirname(t));
      if (dirname(f) !== dirname(t)) await fsyncPath(dirname(f));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new OvirtRepoError(ErrorCodes.NOT_FOUND, `rename failed for ${f}: no such file`, { target: f, cause: e });
      }
      throw fsTargetError(`rename to ${t}`, f, e);
    }
  }

  async remove(path: string): Promise<void> {
    const target = this.localPath(nonRootTargetPath(path, 'remove'));
    try {
      await rm(target, { recursive: true, force: true });
    } catch (e) {
      throw fsTargetError('remove', target, e);
    }
  }

  async link(existing: string, path: string): Promise<void> {
    const src = this.localPath(nonRootTargetPath(existing, 'link'));
    const dest = this.localPath(nonRootTargetPath(path, 'link onto'));
    const tmp = tempPathFor(dest);
    try {
      await makeTargetDirectory(dirname(dest));
      await link(src, tmp);
      await rename(tmp, dest);
      await fsyncPath(dirname(dest));
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw fsTargetError(`hard link from ${src}`, dest, e);
    }
  }

  async symlink(linkTarget: string, path: string): Promise<void> {
    const p = nonRootTargetPath(path, 'link');
    resolveLinkTarget(p, linkTarget);
    const dest = this.localPath(p);
    const tmp = tempPathFor(dest);
    try {
      await makeTargetDirectory(dirname(dest));
      await symlink(linkTarget, tmp);
      await rename(tmp, dest);
      await fsyncPath(dirname(dest));
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw isOvirtRepoError(e) ? e : fsTargetError(`symbolic link to ${linkTarget}`, dest, e);
    }
  }

  async readLink(path: string): Promise<string | undefined> {
    const where = this.localPath(nonRootTargetPath(path, 'read the link'));
    try {
      return await readlink(where);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EINVAL' || code === 'ENOTDIR') return undefined;
      throw fsTargetError('read link', where, e);
    }
  }

  async lock(name: string, options: { waitMs?: number } = {}): Promise<TargetLock> {
    const file = this.localPath(`${normalizeTargetPath(`.ovirt-repo/locks/${name}`)}.lock`);
    const rootExisted = await stat(this.root).then(() => true, () => false);
    try {
      await makeDirectory(dirname(file));
    } catch (e) {
      throw fsTargetError('create lock directory', dirname(file), e);
    }
    // The store's writer lock: a killed holder on this host is detected by its pid, one on another host by
    // its heartbeat stopping; either way the lock is broken safely and the next publisher goes ahead.
    const held = await acquireLock(file, {
      purpose: `${name} to ${this.location}`,
      timeoutMs: options.waitMs ?? 0,
      pollMs: 200,
      hint: `Wait for the other publish to finish: publishes to one destination run one at a time. A lock left by a publisher killed on another host is broken after ${DEFAULT_STALE_AFTER_MS / 60_000} minutes without heartbeat; remove ${file} to break it sooner.`,
    });
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        await held.release();
        // Leave no trace when nothing else is there (a failed first publish leaves DEST as it was).
        const dirs = [dirname(file), dirname(dirname(file))];
        if (!rootExisted) dirs.push(this.root);
        for (const dir of dirs) await rmdir(dir).catch(() => undefined);
      },
    };
  }
}

/** makeDirectory, failing as every other operation of a target does: E_TARGET, with its message and hint. */
async function makeTargetDirectory(dir: string): Promise<void> {
  try {
    await makeDirectory(dir);
  } catch (e) {
    if (!isOvirtRepoError(e)) throw e;
    throw new OvirtRepoError(ErrorCodes.TARGET, e.message, { ...(e.target ? { target: e.target } : {}), ...(e.hint ? { hint: e.hint } : {}), cause: e });
  }
}
