import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Every entry below `root` (and root itself) with its type, size, mode, mtime and link target: what a
 * command that writes nothing leaves exactly as it was (reads change only atimes, which this leaves out).
 * `{}` when root does not exist.
 */
export async function fileTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (path: string, rel: string): Promise<void> => {
    let st;
    try {
      st = await lstat(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && rel === '.') return;
      throw e;
    }
    const type = st.isSymbolicLink() ? `link->${await readlink(path)}` : st.isDirectory() ? 'dir' : 'file';
    out[rel] = `${type} size=${st.size} mode=${st.mode.toString(8)} mtime=${st.mtimeMs}`;
    if (st.isDirectory()) for (const name of (await readdir(path)).sort()) await walk(join(path, name), rel === '.' ? name : `${rel}/${name}`);
  };
  await walk(root, '.');
  return out;
}
