import { ErrorCodes, OvirtRepoError, parseRunLock, readUri, type RunLock } from '@ovirt-repo/core';

export interface LockedSource {
  url: string;
  /** The repomd.xml the system-test run saw, when the lock recorded it: publish refuses anything else. */
  repomd?: { sha256: string; size: number };
}

/** The snapshot URL (and repomd.xml digest) the lock file recorded for repository `repo`. */
export function lockedSource(lock: RunLock, repo: string, where: string): LockedSource {
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
  return lockedSource(await parseRunLock(data.toString('utf8'), file), repo, file);
}
