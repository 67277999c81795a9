import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ErrorCodes, OvirtRepoError } from '../errors/index.js';

/**
 * `mkdir -p` that always ends: every missing ancestor is made once, then `path`. Node's own
 * `mkdir(path, { recursive: true })` retries for ever when mkdir fails with ENOENT although the parent
 * exists (any path below /proc, some FUSE and network filesystems), so a job would spin at full CPU
 * instead of failing. Use this, never the recursive option. Fails with E_IO naming the directory that
 * could not be made; an existing directory (or a symlink to one) is fine.
 */
export async function makeDirectory(path: string): Promise<void> {
  if (await makeOne(path)) return;
  const parent = dirname(path);
  if (parent === path) throw cannotCreate(path, 'its filesystem root does not exist');
  await makeDirectory(parent);
  if (!(await makeOne(path))) throw cannotCreate(path, 'this filesystem does not allow creating it, although its parent exists');
}

/** mkdir without recursion: true when the directory exists afterwards, false when its parent is missing (or not a directory). */
async function makeOne(path: string): Promise<boolean> {
  try {
    await mkdir(path);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    if (code !== 'EEXIST') throw cannotCreate(path, `${code ?? 'error'}: ${(e as Error).message}`, e);
  }
  const st = await stat(path).catch(() => undefined);
  if (!st?.isDirectory()) throw cannotCreate(path, 'something that is not a directory is in its place');
  return true;
}

function cannotCreate(path: string, why: string, cause?: unknown): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.IO, `cannot create directory ${path}: ${why}`, {
    target: path,
    hint: 'choose a path on a writable filesystem (not /proc or /sys), and check its permissions and the free space',
    ...(cause ? { cause } : {}),
  });
}
