export { configJsonSchema, configToYaml } from './lazy.js';
export { loadConfig } from './load.js';
export { requireStore, STORE_ENV, BASE_URL_ENV } from './store-env.js';
export type { LoadConfigOptions, LoadedConfig, ParseConfigOptions, ValueOrigin } from './load.js';
export { locateConfig, CONFIG_FILE_NAME, CONFIG_ENV, type LocateConfigOptions, type LocatedConfig } from './locate.js';
export {
  resolveConfig,
  repoConfigFor,
  CONFIG_DEFAULTS,
  type OvirtRepoConfig,
  type RepoConfig,
  type RepoDefaults,
  type RepoMode,
  type RetentionConfig,
  type ReposyncConfigRef,
  type PublishConfig,
  type SyncConfig,
  type NetworkConfig,
} from './resolve.js';
export type { ConfigFile, ConfigFileInput } from './schema.js';
export { parseDuration, formatDuration, durationProblem, DURATION_PATTERN, DURATION_UNITS } from './duration.js';
export { parseSize } from './size.js';
export { isValidRepoName, repoNameProblem, REPO_NAME_PATTERN, MAX_REPO_NAME_LENGTH } from './names.js';
export { SOURCE_SCHEMES } from './locations.js';
export type { ConfigProblem } from './problems.js';
