import { ioError } from '../errors/index.js';

/**
 * The command that flushes one whole filesystem: coreutils `sync --file-system` is syncfs(2), which Node
 * has no binding for. An environment variable so a test can name a command that is missing or fails.
 */
export const SYNCFS_COMMAND_ENV = 'OVIRT_REPO_SYNCFS_COMMAND';

let unavailable: string | undefined;

/**
 * Flush every written byte and directory entry of the filesystem holding `path` to disk, in one journal
 * commit instead of one per file: what a writer of thousands of new files (a sync's pool downloads) calls
 * before it links them into place, as ostree does before a commit. Resolves to false, and leaves it to the
 * caller to fsync file by file, where the command is missing or refuses (not Linux, a `sync` without
 * --file-system; remembered for this process) or cannot open `path`. A flush that fails with an I/O error is an
 * E_IO error: then nothing written since the last flush is known to be on disk.
 */
export async function syncFileSystem(path: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const command = env[SYNCFS_COMMAND_ENV] || 'sync';
  if (unavailable === command) return false;
  // Loaded here: most commands never flush a filesystem, and child_process is not free to load.
  const { execFile } = await import('node:child_process');
  const outcome = await new Promise<{ code: number | string | null; stderr: string }>((resolve) => {
    execFile(command, ['--file-system', path], { timeout: 600_000 }, (err, _stdout, stderr) => {
      resolve({ code: err ? ((err as NodeJS.ErrnoException).code ?? 1) : 0, stderr: String(stderr) });
    });
  });
  if (outcome.code === 0) return true;
  // coreutils says "error syncing '<path>': <strerror>" when syncfs itself failed (EIO, ENOSPC: written
  // data may be lost). A missing command, an unknown option or a timeout only mean "not possible here".
  if (/error syncing/i.test(outcome.stderr)) {
    throw ioError('sync the filesystem of', path, Object.assign(new Error(outcome.stderr.trim()), { code: 'EIO' }));
  }
  if (outcome.code === 'ENOENT' || /unrecognized|invalid|unknown/i.test(outcome.stderr)) unavailable = command;
  return false;
}
