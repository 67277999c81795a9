import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ErrorCodes, OvirtRepoError } from '../errors/index.js';

/**
 * `mkdir -p` that always ends: every missing ancestor is made once, then `path`. Node's own
 * `mkdir(path, { recursive: true })` retries for ever when mkdir fails with ENOENT although the parent
 * exists (any path below /proc, some FUSE and network filesystems), so a job would spin at full CPU
 * instead of failing. Use this, never the recursive option. Fails with E_IO naming the directory that
 * could not be made; an existing directory (or a symlink to one) is fine. Returns the first directory it
 * made (as Node's recursive mkdir does), undefined when `path` existed. `mode` applies to each one made.
 *
 * The system calls are synchronous: a mkdir is a metadata change in memory that takes microseconds, while a
 * round trip through libuv's four-thread pool queues it behind reads and writes of other work (a sync makes
 * a directory per package).
 */
export async function makeDirectory(path: string, options: { mode?: number } = {}): Promise<string | undefined> {
  const made = makeOne(path, options.mode);
  if (made !== false) return made;
  const parent = dirname(path);
  if (parent === path) throw cannotCreate(path, 'its filesystem root does not exist');
  const first = await makeDirectory(parent, options);
  const again = makeOne(path, options.mode);
  if (again === false) throw cannotCreate(path, 'this filesystem does not allow creating it, although its parent exists');
  return first ?? again;
}

/**
 * mkdir without recursion: `path` when it made it, undefined when it existed, false when its parent is
 * missing (or not a directory).
 */
function makeOne(path: string, mode: number | undefined): string | undefined | false {
  try {
    mkdirSync(path, mode === undefined ? undefined : { mode });
    return path;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    if (code !== 'EEXIST') throw cannotCreate(path, `${code ?? 'error'}: ${(e as Error).message}`, e);
  }
  let st;
  try {
    st = statSync(path, { throwIfNoEntry: false });
  } catch {
    st = undefined;
  }
  if (!st?.isDirectory()) throw cannotCreate(path, 'something that is not a directory is in its place');
  return undefined;
}

function cannotCreate(path: string, why: string, cause?: unknown): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.IO, `cannot create directory ${path}: ${why}`, {
    target: path,
    hint: 'choose a path on a writable filesystem (not /proc or /sys), and check its permissions and the free space',
    ...(cause ? { cause } : {}),
  });
}
