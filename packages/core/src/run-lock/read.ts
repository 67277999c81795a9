import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ErrorCodes, OvirtRepoError, ioError, isOvirtRepoError } from '../errors/index.js';
import { parseStructuredText } from '../uri/index.js';
import { RUN_LOCK_VERSION, type RunLock } from './format.js';

/** Locks are a few megabytes at most (a line per repo); a larger file is not a lock. */
const MAX_LOCK_BYTES = 256 * 1024 * 1024;

/**
 * Read and check a lock file. Problems name the file, the line and the key (`entries[2].url`), and a
 * lock from a newer ovirt-repo is refused rather than half understood. Only a regular file is read: a
 * device or FIFO named by mistake would never end (opened non-blocking, a FIFO does not wait for a writer).
 */
export async function readRunLock(path: string): Promise<RunLock> {
  const file = resolve(path);
  let text: string;
  let fh: FileHandle | undefined;
  try {
    fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = await fh.stat();
    if (!st.isFile() || st.size > MAX_LOCK_BYTES) {
      throw new OvirtRepoError(ErrorCodes.USAGE, `${file} is ${st.isFile() ? `larger than ${MAX_LOCK_BYTES} bytes` : 'not a regular file'}: not a lock file`, {
        target: file,
        hint: 'name the lock file written by `ovirt-repo inject --lock-out`',
      });
    }
    text = await fh.readFile('utf8');
  } catch (e) {
    throw isOvirtRepoError(e) ? e : ioError('read lock file', file, e);
  } finally {
    await fh?.close();
  }
  return parseRunLock(text, file);
}

export async function parseRunLock(text: string, source: string): Promise<RunLock> {
  const doc = await parseStructuredText(text, source);
  const version = (doc.value as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version !== RUN_LOCK_VERSION) {
    throw new OvirtRepoError(ErrorCodes.CONFIG_INVALID, `${source}: lock format version ${version} is not supported (this ovirt-repo reads version ${RUN_LOCK_VERSION})`, {
      target: source,
      hint: version > RUN_LOCK_VERSION ? 'use the ovirt-repo release that wrote the lock, or a newer one' : 'write the lock again with this release',
      data: { file: source, key: 'version' },
    });
  }
  const { runLockSchema } = await import('./schema.js');
  const parsed = runLockSchema.safeParse(doc.value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path ?? [];
  const key = keyOf(path);
  const line = doc.lineOf(path.filter((p): p is string | number => typeof p !== 'symbol'));
  throw new OvirtRepoError(ErrorCodes.CONFIG_INVALID, `${source}${line ? `:${line}` : ''}: not a valid lock file: ${key || 'the document'}: ${issue?.message ?? 'invalid'}`, {
    target: source,
    hint: 'lock files are written by `ovirt-repo inject --lock-out`; see docs/inject.md for the format',
    data: { file: source, line, key },
  });
}

/**
 * `lock` as the text of a lock file (pretty JSON), checked against the schema as readers will check it.
 * Writers put it in place themselves (inject replaces the lock together with the configs, all or none).
 */
export async function formatRunLock(lock: RunLock, source = 'the lock'): Promise<string> {
  const { runLockSchema } = await import('./schema.js');
  const parsed = runLockSchema.safeParse(lock);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OvirtRepoError(ErrorCodes.CONFIG_INVALID, `${source}: cannot write ${keyOf(issue?.path ?? []) || 'the document'}: ${issue?.message ?? 'invalid'}`, {
      target: source,
      hint: 'every URL and repo id recorded is checked as inject --from-lock will check it',
    });
  }
  return `${JSON.stringify(parsed.data, null, 2)}\n`;
}

function keyOf(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}
