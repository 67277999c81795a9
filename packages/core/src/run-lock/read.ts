import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ErrorCodes, OvirtRepoError, ioError } from '../errors/index.js';
import { writeFileAtomic } from '../fs/index.js';
import { parseStructuredText } from '../uri/index.js';
import { RUN_LOCK_VERSION, type RunLock } from './format.js';

/**
 * Read and check a lock file. Problems name the file, the line and the key (`entries[2].url`), and a
 * lock from a newer ovirt-repo is refused rather than half understood.
 */
export async function readRunLock(path: string): Promise<RunLock> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw ioError('read lock file', file, e);
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
  const key = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
  const line = doc.lineOf(path.filter((p): p is string | number => typeof p !== 'symbol'));
  throw new OvirtRepoError(ErrorCodes.CONFIG_INVALID, `${source}${line ? `:${line}` : ''}: not a valid lock file: ${key || 'the document'}: ${issue?.message ?? 'invalid'}`, {
    target: source,
    hint: 'lock files are written by `ovirt-repo inject --lock-out`; see docs/inject.md for the format',
    data: { file: source, line, key },
  });
}

/** Write `lock` atomically as pretty JSON (readers never see half a lock). */
export async function writeRunLock(path: string, lock: RunLock): Promise<string> {
  const file = resolve(path);
  const { runLockSchema } = await import('./schema.js');
  await writeFileAtomic(file, `${JSON.stringify(runLockSchema.parse(lock), null, 2)}\n`);
  return file;
}
