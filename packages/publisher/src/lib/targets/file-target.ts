import { constants, createWriteStream } from 'node:fs';
import { chmod, copyFile, link, mkdir, open, readFile, readdir, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import {
  ErrorCodes,
  OvirtRepoError,
  fsyncPath,
  isLocalFile,
  isOvirtRepoError,
  nonRootTargetPath,
  normalizeTargetPath,
  putDataToStream,
  tempPathFor,
  type HardlinkCapable,
  type LocalPathCapable,
  type LockCapable,
  type PutData,
  type SyncTarget,
  type TargetEntry,
  type TargetLocation,
  type TargetLock,
  type TargetOpenOptions,
} from '@ovirt-repo/core';
import { fsTargetError } from './target-error.js';

/**
 * A directory on this machine (a plain path or a file:// URL), e.g. the document root of the web server
 * that serves latest.tested, or an NFS mount of it. put = temp file in the same directory, fsync, rename,
 * fsync the directory; rename is rename(2); locks are O_EXCL files.
 */
export class FileTarget implements SyncTarget, LocalPathCapable, HardlinkCapable, LockCapable {
  readonly scheme = 'file';
  readonly atomicRename = true;
  readonly limitations = [
    'Locks are detected as stale only when taken on the same host (the holder\'s pid is checked); a lock left by a killed writer on another host must be removed by hand.',
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
      await mkdir(dirname(dest), { recursive: true });
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
      await mkdir(dirname(t), { recursive: true });
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
      await mkdir(dirname(dest), { recursive: true });
      await link(src, tmp);
      await rename(tmp, dest);
      await fsyncPath(dirname(dest));
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw fsTargetError(`hard link from ${src}`, dest, e);
    }
  }

  async lock(name: string, options: { waitMs?: number } = {}): Promise<TargetLock> {
    const file = this.localPath(`${normalizeTargetPath(`.ovirt-repo/locks/${name}`)}.lock`);
    const deadline = Date.now() + (options.waitMs ?? 0);
    const me = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    const rootExisted = await stat(this.root).then(() => true, () => false);
    for (;;) {
      // Written aside and hard-linked into place: the lock file appears complete or not at all, so a
      // writer killed at any moment never leaves an unreadable lock behind.
      const tmp = tempPathFor(file);
      try {
        await mkdir(dirname(file), { recursive: true });
        await writeFile(tmp, `${JSON.stringify(me)}\n`, { mode: 0o644 });
        await link(tmp, file);
        let released = false;
        return {
          release: async () => {
            if (released) return;
            released = true;
            await unlink(file).catch(() => undefined);
            // Leave no trace when nothing else is there (a failed first publish leaves DEST as it was).
            const dirs = [dirname(file), dirname(dirname(file))];
            if (!rootExisted) dirs.push(this.root);
            for (const dir of dirs) await rmdir(dir).catch(() => undefined);
          },
        };
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // ENOENT: a releasing holder removed the (empty) lock directory between our mkdir and write.
        if (code === 'ENOENT') continue;
        if (code !== 'EEXIST') throw fsTargetError('create lock', file, e);
      } finally {
        await rm(tmp, { force: true });
      }
      const holder = await readHolder(file);
      if (holder && holder.host === me.host && !isAlive(holder.pid)) {
        // Left by a killed writer on this host: move it aside (atomic, so two breakers cannot both win).
        const aside = tempPathFor(file);
        if (await rename(file, aside).then(() => true, () => false)) await rm(aside, { force: true });
        continue;
      }
      if (Date.now() >= deadline) {
        throw new OvirtRepoError(ErrorCodes.LOCKED, `${file} is held by ${holder ? `pid ${holder.pid} on ${holder.host} since ${holder.since}` : 'another writer'}`, {
          target: file,
          hint: holder && holder.host !== me.host
            ? `Wait for that publish to finish. If no publisher is running on ${holder.host}, remove ${file}.`
            : 'Wait for the other publish to finish (publishes to one destination run one at a time).',
        });
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function readHolder(file: string): Promise<{ pid: number; host: string; since: string } | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { pid?: unknown; host?: unknown; since?: unknown };
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') return { pid: parsed.pid, host: parsed.host, since: String(parsed.since ?? '?') };
  } catch {
    // A lock file being written right now, or garbage: treat as held by an unknown writer.
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
