import { stringify } from 'yaml';
import { formatDuration } from './duration.js';
import { formatSize } from './size.js';
import type { OvirtRepoConfig, RetentionConfig } from './resolve.js';

/**
 * The effective configuration as ovirt-repo.yaml text (durations written as `14d`, sizes as `4GiB`), optionally under
 * `# comment` lines. Loading the text again gives the same configuration.
 */
export function configToYaml(config: OvirtRepoConfig, comments: readonly string[] = []): string {
  const retention = (r: RetentionConfig) => ({ ...r, ...(r.maxAge === undefined ? {} : { maxAge: formatDuration(r.maxAge) }) });
  const shown = {
    ...config,
    defaults: { ...config.defaults, retention: retention(config.defaults.retention) },
    repos: Object.fromEntries(Object.entries(config.repos).map(([name, repo]) => [name, { ...repo, retention: retention(repo.retention) }])),
    sync: { ...config.sync, maxMetadataSize: formatSize(config.sync.maxMetadataSize) },
  };
  const header = comments.map((c) => `# ${c}\n`).join('');
  return header + stringify(shown, { lineWidth: 0, aliasDuplicateObjects: false });
}
