import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ErrorCodes, OvirtRepoError, ioError, parseStructuredText } from '@ovirt-repo/core';

/**
 * The part of a run's lock file (written by `ovirt-repo inject --lock-out`, docs/inject.md) that the store
 * needs: which URLs the run used. Plugins do not import each other, so this is a reader of its own for
 * format version 1; other fields are ignored.
 */
export const RUN_LOCK_VERSION = 1;

const runLockSchema = z.object({
  version: z.literal(RUN_LOCK_VERSION),
  createdAt: z.string().optional(),
  entries: z.array(
    z.object({
      /** The repo id: the section name in the test's config (not necessarily a store repo name). */
      repo: z.string().min(1),
      /** The baseurl the run used: `<base-url>/yum/<repo>/<id>` for a store snapshot. */
      url: z.string().min(1),
    }),
  ),
});

export type RunLock = z.infer<typeof runLockSchema> & { path: string };
export type RunLockEntry = RunLock['entries'][number];

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

export function parseRunLock(text: string, source: string): RunLock {
  const doc = parseStructuredText(text, source);
  const version = (doc.value as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version !== RUN_LOCK_VERSION) {
    throw new OvirtRepoError(ErrorCodes.CONFIG_INVALID, `${source}: lock format version ${version} is not supported (this ovirt-repo reads version ${RUN_LOCK_VERSION})`, {
      target: source,
      hint: version > RUN_LOCK_VERSION ? 'use the ovirt-repo release that wrote the lock, or a newer one' : 'write the lock again with this release',
      data: { file: source, key: 'version' },
    });
  }
  const parsed = runLockSchema.safeParse(doc.value);
  if (parsed.success) return { ...parsed.data, path: source };
  const issue = parsed.error.issues[0];
  const keyPath = (issue?.path ?? []).filter((p): p is string | number => typeof p !== 'symbol');
  const key = keyPath.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${p}`)).join('');
  const line = doc.lineOf(keyPath);
  throw new OvirtRepoError(ErrorCodes.CONFIG_INVALID, `${source}${line ? `:${line}` : ''}: not a valid lock file: ${key || 'the document'}: ${issue?.message ?? 'invalid'}`, {
    target: source,
    hint: 'lock files are written by `ovirt-repo inject --lock-out`; see docs/inject.md for the format',
    data: { file: source, line, key },
  });
}
