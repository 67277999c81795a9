import { z } from 'zod';
import { ErrorCodes, OvirtRepoError, readUri } from '@ovirt-repo/core';

/**
 * The part of an inject lock file (`ovirt-repo inject --lock-out run.lock.json`) that publish reads: which
 * snapshot URL each repository of the system-test run used. Other fields are allowed and ignored, so the
 * inject side can record more without breaking publish.
 */
const lockSchema = z
  .object({
    version: z.literal(1),
    entries: z.array(
      z
        .object({
          repo: z.string().min(1),
          url: z.string().min(1),
          /** Digest of `<url>/repodata/repomd.xml` when the lock was written (null: could not be read). */
          repomd: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int().nonnegative() }).nullable().optional(),
        })
        .passthrough(),
    ),
  })
  .passthrough();

export type LockFile = z.infer<typeof lockSchema>;

/** Parse lock file JSON; E_CONFIG_INVALID naming the file and the first problem. */
export function parseLockFile(data: Buffer | string, where: string): LockFile {
  let json: unknown;
  try {
    json = JSON.parse(data.toString());
  } catch (e) {
    throw new OvirtRepoError(ErrorCodes.CONFIG_INVALID, `${where} is not a lock file: not JSON (${(e as Error).message})`, {
      target: where,
      hint: 'Pass the file written by `ovirt-repo inject --lock-out FILE`.',
    });
  }
  const parsed = lockSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OvirtRepoError(ErrorCodes.CONFIG_INVALID, `${where} is not a lock file: ${issue?.path.join('.') || '(top level)'}: ${issue?.message ?? 'invalid'}`, {
      target: where,
      hint: 'Pass the file written by `ovirt-repo inject --lock-out FILE` (format version 1).',
    });
  }
  return parsed.data;
}

export interface LockedSource {
  url: string;
  /** The repomd.xml the system-test run saw, when the lock recorded it: publish refuses anything else. */
  repomd?: { sha256: string; size: number };
}

/** The snapshot URL (and repomd.xml digest) the lock file recorded for repository `repo`. */
export function lockedSource(lock: LockFile, repo: string, where: string): LockedSource {
  const matches = lock.entries.filter((e) => e.repo === repo);
  const found = (e: (typeof matches)[number]): LockedSource => (e.repomd ? { url: e.url, repomd: e.repomd } : { url: e.url });
  const known = [...new Set(lock.entries.map((e) => e.repo))].sort();
  const [first] = matches;
  if (!first) {
    throw new OvirtRepoError(ErrorCodes.NOT_FOUND, `${where} records no repository "${repo}"`, {
      target: where,
      hint: known.length ? `It records: ${known.join(', ')}.` : 'It records no repositories at all; was inject run with --lock-out on the right config?',
      data: { repo, known },
    });
  }
  const urls = [...new Set(matches.map((m) => m.url))];
  if (urls.length === 1) return found(matches.find((m) => m.repomd) ?? first);
  throw new OvirtRepoError(ErrorCodes.CONFIG_INVALID, `${where} records repository "${repo}" ${matches.length} times with different URLs`, {
    target: where,
    hint: `Publish one of them explicitly with --from: ${urls.join(', ')}.`,
  });
}

/** Read a lock file from a path or URL and return what it recorded for `repo`. */
export async function sourceFromLock(file: string, repo: string): Promise<LockedSource> {
  const { data } = await readUri(file);
  return lockedSource(parseLockFile(data, file), repo, file);
}
