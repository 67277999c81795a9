import { ErrorCodes, OvirtRepoError, isOvirtRepoError, mapLimit, silentLogger, type LoadedConfig, type Logger } from '@ovirt-repo/core';
import { syncOptionsFor, type SyncOverrides } from './config-options.js';
import type { SyncOptions, SyncResult } from './options.js';
import { syncRepo } from './sync-repo.js';

export interface SyncAllResult {
  results: SyncResult[];
  failures: { repo: string; code: string; message: string }[];
  /** Configured repos without a source (additive repos fed by deploy jobs), not synced. */
  skipped: string[];
}

/**
 * `mirror sync --all`: every repo configured in ovirt-repo.yaml that has a source (source, sources or a
 * reposync config), `sync.parallel` at a time. Each repo's sync is its own transaction; one failing does not
 * stop the others. Throws (after all have run) when any failed, listing them.
 */
export async function syncAllRepos(
  loaded: LoadedConfig,
  flags: Omit<SyncOverrides, 'from' | 'config' | 'section'>,
  extra: Pick<SyncOptions, 'compression' | 'lockTimeoutMs' | 'timeoutMs' | 'retries' | 'writeIndex' | 'checkPool' | 'dryRun'>,
  logger: Logger = silentLogger,
): Promise<SyncAllResult> {
  const repos = Object.entries(loaded.config.repos);
  const runnable = repos.filter(([, r]) => r.sources.length > 0 || r.config).map(([name]) => name);
  const skipped = repos.map(([name]) => name).filter((n) => !runnable.includes(n));
  if (runnable.length === 0) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `no repo in ${loaded.file ?? 'the configuration'} has a source to sync`, {
      hint: 'give repos a source, sources or config in ovirt-repo.yaml (docs/config.md), or sync one repo with --from',
    });
  }
  const results: SyncResult[] = [];
  const failures: SyncAllResult['failures'] = [];
  await mapLimit(runnable, loaded.config.sync.parallel, async (repo) => {
    try {
      const r = await syncRepo({ ...syncOptionsFor(repo, flags, loaded), ...extra, logger });
      results.push(r);
      logger.info(r.changed ? `${repo}: ${r.dryRun ? 'would publish a snapshot' : `published ${r.snapshot}`}` : `${repo}: no change`);
    } catch (e) {
      const code = isOvirtRepoError(e) ? e.code : ErrorCodes.INTERNAL;
      failures.push({ repo, code, message: (e as Error).message });
      logger.warn(`${repo}: sync failed [${code}]: ${(e as Error).message}`);
    }
  });
  results.sort((a, b) => (a.repo < b.repo ? -1 : 1));
  failures.sort((a, b) => (a.repo < b.repo ? -1 : 1));
  if (failures.length > 0) {
    throw new OvirtRepoError((failures[0]?.code ?? ErrorCodes.INTERNAL) as never, `${failures.length} of ${runnable.length} repos failed to sync: ${failures.map((f) => `${f.repo} (${f.code})`).join(', ')}`, {
      hint: 'see each failure in data.failures (or the warnings above); the other repos were synced',
      data: { results, failures, skipped },
    });
  }
  return { results, failures, skipped };
}
