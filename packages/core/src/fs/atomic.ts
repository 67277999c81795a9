import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ioError, isOvirtRepoError } from '../errors/index.js';
import { MAX_FILE_NAME_BYTES } from './file-names.js';
import { writePieces } from './write-pieces.js';
import { makeDirectory } from './make-directory.js';

/**
 * A temp name beside `target`: same directory, so the final rename never crosses a filesystem and is
 * atomic. The leading dot and `.tmp-` marker let gc and recovery recognise (and clean) leftovers. It fits
 * in a file name whatever the target's (a package file name may take all 255 bytes): a long name is cut,
 * and the pid and the unique part keep two temp names of one directory apart. `suffix` (at most 4 bytes, e.g.
 * `.old`) is appended.
 */
export function tempPathFor(target: string, suffix = ''): string {
  return join(dirname(target), `.${tempStem(basename(target))}.tmp-${process.pid}-${nextTempId()}${suffix}`);
}

/**
 * 8 hex digits, never the same twice in a process: a counter from a random start, so that a process that
 * reuses a killed one's pid does not meet its leftovers. (randomBytes for every name cost tens of
 * microseconds each, and a sync names a temp file per package.)
 */
let tempCounter = randomBytes(4).readUInt32BE(0);
function nextTempId(): string {
  tempCounter = (tempCounter + 1) >>> 0;
  return tempCounter.toString(16).padStart(8, '0');
}

/** What a temp name keeps of its target's name: room for the dot, `.tmp-`, a pid, the random part and a suffix. */
const TEMP_STEM_BYTES = MAX_FILE_NAME_BYTES - '.'.length - '.tmp-'.length - 10 - '-'.length - 8 - '.old'.length;

/** `name` cut to TEMP_STEM_BYTES of UTF-8, at a character boundary; the same for every process. */
function tempStem(name: string): string {
  if (Buffer.byteLength(name) <= TEMP_STEM_BYTES) return name;
  let stem = '';
  let bytes = 0;
  for (const ch of name) {
    bytes += Buffer.byteLength(ch);
    if (bytes > TEMP_STEM_BYTES) break;
    stem += ch;
  }
  return stem;
}

/** True for names made by tempPathFor (leftovers of a killed writer). */
export function isTempName(name: string): boolean {
  return name.startsWith('.') && /\.tmp-\d+-[0-9a-f]{8}$/.test(name);
}

/** fsync a file or directory so a rename that follows survives a crash. */
export async function fsyncPath(path: string): Promise<void> {
  let fh;
  try {
    fh = await open(path, constants.O_RDONLY);
    await fh.sync();
  } catch (e) {
    // Some filesystems refuse fsync on directories (EINVAL/EISDIR); data is still in the page cache.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EBADF') throw ioError('fsync', path, e);
  } finally {
    await fh?.close();
  }
}

/**
 * Write a new file and fsync it, without the temp name and rename of writeFileAtomic: for files inside a
 * directory that is itself built aside and published whole by one rename (a snapshot), which nobody reads
 * before then. Fails if `path` exists. The caller fsyncs the directory before publishing it.
 */
export async function writeNewFileDurably(path: string, data: string | Uint8Array | readonly Uint8Array[]): Promise<void> {
  try {
    const fh = await open(path, 'wx', 0o644);
    try {
      if (typeof data === 'string' || data instanceof Uint8Array) await fh.writeFile(data);
      else await writePieces(fh, data);
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw isOvirtRepoError(e) ? e : ioError('write', path, e);
  }
}

export interface WriteFileAtomicOptions {
  /** Permission bits of the new file (default 0o644). */
  mode?: number;
  /**
   * Where the temp file is made instead of beside `target`; it must be on the same filesystem so the rename
   * stays atomic. For directories whose other writers clean temp names they find without holding our lock.
   */
  tempDir?: string;
}

/**
 * Write `data` to `target` atomically: readers see the old content or the new one, never a mix, even if the
 * process is killed at any moment. The directory is fsynced so the rename itself is durable.
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array, options: number | WriteFileAtomicOptions = {}): Promise<void> {
  const { mode = 0o644, tempDir } = typeof options === 'number' ? { mode: options } : options;
  const tmp = tempDir ? tempPathFor(join(tempDir, `${basename(dirname(target))}.${basename(target)}`)) : tempPathFor(target);
  try {
    await makeDirectory(dirname(target));
    if (tempDir) await makeDirectory(tempDir);
    const fh = await open(tmp, 'wx', mode);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
    await fsyncPath(dirname(target));
  } catch (e) {
    await rm(tmp, { force: true });
    throw isOvirtRepoError(e) ? e : ioError('atomic write', target, e);
  }
}

/**
 * Replace directory `target` with the fully built directory `staged` (same filesystem). Directories cannot
 * be renamed over non-empty ones, so the old one is moved aside first; in the short window between the two
 * renames `target` is absent. Callers that need readers to never see that gap publish through a pointer
 * file instead (as the store does with latest.txt). Returns the path the old directory was moved to
 * (already deleted unless keepOld).
 */
export async function replaceDirectory(staged: string, target: string, keepOld = false): Promise<string | undefined> {
  let old: string | undefined;
  try {
    old = tempPathFor(target, '.old');
    try {
      await rename(target, old);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      old = undefined;
    }
    await rename(staged, target);
    await fsyncPath(dirname(target));
  } catch (e) {
    if (old) await rename(old, target).catch(() => undefined);
    throw ioError('replace directory', target, e);
  }
  if (old && !keepOld) await rm(old, { recursive: true, force: true });
  return old;
}

/**
 * Undo the one window replaceDirectory leaves: a writer killed between its two renames leaves `target`
 * missing and the previous directory parked under a `.old` temp name. Put it back so nothing is lost.
 */
export async function recoverDirectory(target: string): Promise<boolean> {
  try {
    await stat(target);
    return false;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError('stat', target, e);
  }
  const prefix = `.${tempStem(basename(target))}.tmp-`;
  let entries: string[];
  try {
    entries = await readdir(dirname(target));
  } catch {
    return false;
  }
  const parked = entries.filter((n) => n.startsWith(prefix) && n.endsWith('.old')).sort();
  const last = parked.at(-1);
  if (!last) return false;
  await rename(join(dirname(target), last), target);
  return true;
}
