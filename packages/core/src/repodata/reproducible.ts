import { ErrorCodes, OvirtRepoError } from '../errors/index.js';

/**
 * SOURCE_DATE_EPOCH (reproducible-builds.org) as seconds, or undefined when unset or empty. A set but
 * malformed value is an error: silently falling back to "now" would break reproducibility unnoticed.
 */
export function sourceDateEpoch(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw.trim() === '') return undefined;
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(Number(raw))) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `SOURCE_DATE_EPOCH="${raw}" is not a number of seconds`, {
      hint: 'set it to a Unix time such as $(git log -1 --format=%ct), or unset it',
    });
  }
  return Number(raw);
}

/**
 * Revision and timestamp for repomd.xml. Revision: explicit, else SOURCE_DATE_EPOCH, else now. Timestamp:
 * explicit, else SOURCE_DATE_EPOCH, else an explicit revision that is a Unix time (createrepo_c's
 * --set-timestamp-to-revision), else now. So either SOURCE_DATE_EPOCH or a numeric revision alone makes the
 * output reproducible; `pinned` says it is, and the writer then also sets the files' mtimes to the timestamp.
 */
export function repomdTimes(
  options: { revision?: string; timestamp?: number; env?: NodeJS.ProcessEnv },
  now: () => number = () => Math.floor(Date.now() / 1000),
): { revision: string; timestamp: number; pinned: boolean } {
  const epoch = sourceDateEpoch(options.env);
  const numericRevision = options.revision !== undefined && /^\d{1,15}$/.test(options.revision) ? Number(options.revision) : undefined;
  const fixed = options.timestamp ?? epoch ?? numericRevision;
  const current = now();
  return {
    revision: options.revision ?? String(epoch ?? current),
    timestamp: fixed ?? current,
    pinned: fixed !== undefined,
  };
}
