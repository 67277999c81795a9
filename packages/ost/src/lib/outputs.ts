import type { Stats } from 'node:fs';
import { lstat, open, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ErrorCodes, fsyncPath, ioError, OvirtRepoError, tempPathFor, writeFileAtomic, makeDirectory } from '@ovirt-repo/core';

/** A yum config or a lock is small; a file this large was named by mistake. */
const MAX_FILE_BYTES = 256 * 1024 * 1024;

/** A file inject will replace (a config) or create or replace (the lock), checked before anything is written. */
export interface OutputFile {
  /** As the user named it, for messages. */
  path: string;
  /** Where the new content goes: symlinks resolved, so a link stays a link and its target is replaced. */
  target: string;
  /** Its content now, to put back if the commit fails half way; null for a new file. */
  original: Buffer | null;
  mode: number;
}

/**
 * Check that `path` names a regular file (through symlinks) or, when `mayBeNew`, a new name in a
 * directory that exists or can be made; read its current content. Anything else (a directory, a device,
 * a FIFO, a socket, a dangling symlink) is refused with E_USAGE before anything is read from it or
 * written: replacing it by rename would put a regular file in its place. `flag` names the option, if any.
 */
export async function checkOutput(path: string, options: { mayBeNew: boolean; flag?: string }): Promise<OutputFile> {
  const named = options.flag ? `${options.flag} ${path}` : path;
  const link = await lstatOrNull(path);
  if (!link) {
    if (!options.mayBeNew) throw ioError('read', path, Object.assign(new Error('no such file or directory'), { code: 'ENOENT' }));
    await checkParent(path, named);
    return { path, target: path, original: null, mode: 0o644 };
  }
  let target: string;
  try {
    target = await realpath(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError('resolve', path, e);
    throw refused(`${named} is a symlink to a missing file`, 'name the file itself, or make the link point at an existing file');
  }
  const st = target === path ? link : await stat(target);
  const through = link.isSymbolicLink() ? ` (through a symlink to ${target})` : '';
  if (!st.isFile()) {
    throw refused(`${named} is ${kindOf(st)}${through}: inject reads and replaces regular files only`,
      options.mayBeNew ? 'name a new file or an existing regular file' : 'name the yum/reposync config files themselves');
  }
  if (st.size > MAX_FILE_BYTES) throw refused(`${named} is larger than ${MAX_FILE_BYTES} bytes${through}: not a yum config or lock file`, 'check the path');
  let original: Buffer;
  try {
    original = await readFile(target);
  } catch (e) {
    throw ioError('read', path, e);
  }
  return { path, target, original, mode: st.mode & 0o7777 };
}

/**
 * Replace every file with its new content, or none of them.
 *
 * Everything that can fail is done first: each new content is written and fsynced beside its target
 * (same directory, so the renames cannot cross a filesystem); a failure removes them all and nothing was
 * changed. The first rename is the commit point; only renames follow, in the order given (inject puts the
 * lock last). If one of them fails, the files already replaced get their old content back. A process
 * killed during the renames (a few milliseconds) leaves the files before it new and the others old.
 */
export async function replaceAll(writes: Array<{ file: OutputFile; data: Buffer | string }>): Promise<void> {
  const staged: Array<{ file: OutputFile; tmp: string; madeDir?: string }> = [];
  let current: OutputFile | undefined;
  try {
    for (const { file, data } of writes) {
      current = file;
      const madeDir = await makeDirectory(dirname(file.target));
      const tmp = tempPathFor(file.target);
      staged.push({ file, tmp, madeDir });
      const fh = await open(tmp, 'wx', file.mode);
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
  } catch (e) {
    await discard(staged);
    throw ioError('write', current?.path ?? '?', e);
  }
  const done: typeof staged = [];
  for (const s of staged) {
    try {
      await rename(s.tmp, s.file.target);
      done.push(s);
    } catch (e) {
      const notPutBack = await putBack(done);
      await discard(staged);
      const error = ioError('replace', s.file.path, e);
      throw new OvirtRepoError(ErrorCodes.IO, error.message, {
        target: s.file.path,
        cause: e,
        hint: notPutBack.length === 0
          ? 'every file inject had replaced was put back as it was; check the path and run inject again'
          : `these files could not be put back and hold the injected content: ${notPutBack.join(', ')}`,
      });
    }
  }
  for (const dir of new Set(staged.map((s) => dirname(s.file.target)))) await fsyncPath(dir);
}

/** Give replaced files their old content back; returns those it could not. */
async function putBack(done: Array<{ file: OutputFile }>): Promise<string[]> {
  const failed: string[] = [];
  for (const { file } of [...done].reverse()) {
    try {
      if (file.original === null) await rm(file.target, { force: true });
      else await writeFileAtomic(file.target, file.original, file.mode);
    } catch {
      failed.push(file.path);
    }
  }
  return failed;
}

async function discard(staged: Array<{ tmp: string; madeDir?: string }>): Promise<void> {
  for (const { tmp, madeDir } of staged) {
    await rm(tmp, { force: true }).catch(() => undefined);
    if (madeDir) await rm(madeDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** The nearest existing ancestor of a new file's path must be a directory. */
async function checkParent(path: string, named: string): Promise<void> {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const st = await stat(dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      throw ioError('stat', dir, e);
    });
    if (st?.isDirectory()) return;
    if (st) throw refused(`${named}: ${dir} is not a directory`, 'name a file in an existing directory, or a new one');
    if (dirname(dir) === dir) return;
  }
}

async function lstatOrNull(path: string): Promise<Stats | null> {
  try {
    return await lstat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw ioError('stat', path, e);
  }
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function refused(message: string, hint: string): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.USAGE, message, { hint });
}
