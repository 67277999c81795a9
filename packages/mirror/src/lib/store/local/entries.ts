import { createHash } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { open, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { ErrorCodes, OvirtRepoError, ioError, isOvirtRepoError, parentKey, storeKey, type StoreEntry } from '@ovirt-repo/core';
import { DataError } from './files.js';

/* What the directory store reads: files as objects, directories as prefixes, symlinks as links. */

/** A file at `path` that must be a regular file; undefined when there is none (or a directory is there). */
export async function openObject(path: string, where: string) {
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch(missingAsUndefined);
  if (!fh) return undefined;
  const st = await fh.stat();
  if (st.isFile()) return fh;
  await fh.close();
  if (st.isDirectory()) return undefined;
  throw new OvirtRepoError(ErrorCodes.IO, `${where} is not a regular file`, { target: where, hint: 'a store holds regular files only: remove the device, FIFO or socket' });
}

export async function entryOf(key: string, path: string, st: Stats): Promise<StoreEntry | undefined> {
  if (st.isFile()) return { key, type: 'object', size: st.size, mtimeMs: st.mtimeMs, etag: etagOf(st) };
  if (st.isDirectory()) return { key, type: 'prefix', size: 0, mtimeMs: st.mtimeMs };
  if (st.isSymbolicLink()) return { key, type: 'link', size: 0, mtimeMs: st.mtimeMs, target: await readlink(path) };
  return undefined;
}

export const etagOf = (st: Stats) => `${st.ino.toString(16)}-${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}`;
export const versionOf = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

export function isKeySegment(name: string): boolean {
  try {
    storeKey(name, 'list');
    return true;
  } catch {
    return false;
  }
}

/** A link's target must lead to a key of the store, never above its root. */
export function assertTargetInside(key: string, target: string, where: string): void {
  const resolved = posix.normalize(posix.join(parentKey(key), target));
  if (target.startsWith('/') || resolved === '..' || resolved.startsWith('../')) {
    throw new OvirtRepoError(ErrorCodes.UNSAFE_PATH, `symlink: ${where} -> ${target} would lead outside the store`, { target: where, hint: 'links in a store are relative and stay inside it' });
  }
}

export function missingAsUndefined(e: unknown): undefined {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
  throw e;
}

export function tooLarge(where: string, size: number, max: number): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.STORE, `${where} has ${size} bytes, more than the ${max} a store object read whole may have`, {
    target: where,
    hint: 'this is not a file ovirt-repo wrote there; check the store (`ovirt-repo snapshot verify`)',
  });
}

/** The store's errors name the operation and where; a caller's data stream error is passed on as it is. */
export function wrap(e: unknown, operation: string, where: string): unknown {
  if (e instanceof DataError) return e.error;
  if (isOvirtRepoError(e)) return e;
  return ioError(operation, where, e);
}
