export { loadConfig, parseConfig, requireStore, STORE_ENV, BASE_URL_ENV, type LoadConfigOptions, type LoadedConfig, type ParseConfigOptions, type ValueOrigin } from './load.js';
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
} from './resolve.js';
export { configFileSchema, repoSchema, publishSchema, syncSchema, retentionSchema, durationSchema, REPO_MODES, type ConfigFile, type ConfigFileInput } from './schema.js';
export { parseDuration, formatDuration, durationProblem, DURATION_PATTERN, DURATION_UNITS } from './duration.js';
export { isValidRepoName, repoNameProblem, REPO_NAME_PATTERN, MAX_REPO_NAME_LENGTH } from './names.js';
export { SOURCE_SCHEMES } from './locations.js';
export { configJsonSchema, configJsonSchemaText, writeConfigJsonSchema, CONFIG_SCHEMA_FILE } from './json-schema.js';
export { configToYaml } from './render.js';
export { type ConfigProblem } from './problems.js';
