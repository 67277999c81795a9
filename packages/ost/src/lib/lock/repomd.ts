import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { isOvirtRepoError, type Logger, readUri, type ReadUriOptions, type RunLockRepomd, uriKind } from '@ovirt-repo/core';

export interface RepomdProbe {
  repomd: RunLockRepomd | null;
  /** Why repomd is null. */
  error?: string;
  /** True when the source could not be reached at all (as opposed to answering "not here"). */
  unreachable?: boolean;
  /** True when the URL was not fetched on purpose (dnf variables). */
  skipped?: boolean;
}

/** `<baseurl>/repodata/repomd.xml`, for URLs and plain paths alike. */
export function repomdUri(baseurl: string): string {
  if (uriKind(baseurl) === 'path') return join(baseurl, 'repodata', 'repomd.xml');
  return `${baseurl.replace(/\/+$/, '')}/repodata/repomd.xml`;
}

/**
 * The sha256 and size of a repo's repomd.xml: the one file that names (by checksum) every other metadata
 * file, so equal digests mean dnf sees the same repo. URLs with dnf variables ($basearch, $releasever)
 * are not fetched: what they expand to depends on the machine that reads them.
 */
export async function probeRepomd(baseurl: string, options: ReadUriOptions & { logger?: Logger } = {}): Promise<RepomdProbe> {
  if (baseurl.includes('$')) {
    return { repomd: null, skipped: true, error: 'the URL uses dnf variables ($basearch, $releasever...), which only dnf expands' };
  }
  try {
    const { data } = await readUri(repomdUri(baseurl), { maxBytes: 16 * 1024 * 1024, ...options });
    return { repomd: { sha256: createHash('sha256').update(data).digest('hex'), size: data.length } };
  } catch (e) {
    if (!isOvirtRepoError(e)) throw e;
    options.logger?.debug(`cannot read ${repomdUri(baseurl)}: ${e.message}`);
    // A certificate that does not verify is not a snapshot gone missing: this host cannot read it.
    return { repomd: null, error: e.message, unreachable: e.data?.unreachable === true || e.data?.tls === true };
  }
}
