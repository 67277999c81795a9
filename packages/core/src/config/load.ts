import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { ErrorCodes, OvirtRepoError, ioError } from '../errors/index.js';
import { baseUrlProblem, normalizeBaseUrl, resolveLocation, urlScheme } from './locations.js';
import { locateConfig, type LocatedConfig } from './locate.js';
import { resolveConfig, type OvirtRepoConfig } from './resolve.js';
import { BASE_URL_ENV, STORE_ENV } from './store-env.js';

export { BASE_URL_ENV, STORE_ENV, requireStore } from './store-env.js';
export type { ParseConfigOptions } from './parse.js';

export interface LoadConfigOptions {
  /** `--config FILE`; when given (or OVIRT_REPO_CONFIG is set) the file must exist. */
  file?: string;
  /** Working directory: where ./ovirt-repo.yaml is looked for and flag/env paths start from. Default: process.cwd(). */
  cwd?: string;
  /** Default: process.env. Reads OVIRT_REPO_CONFIG, OVIRT_REPO_STORE and OVIRT_REPO_BASE_URL. */
  env?: NodeJS.ProcessEnv;
  /** Command-line values (`--store`, `--base-url`); they beat the environment and the file. */
  overrides?: { store?: string; baseUrl?: string };
}

/** Where an effective value came from. */
export type ValueOrigin = 'flag' | 'env' | 'file' | 'default';

export interface LoadedConfig {
  config: OvirtRepoConfig;
  /** The file read (absolute); unset when there was none and built-in defaults apply. */
  file?: string;
  /** How the file was found. */
  via?: LocatedConfig['via'];
  /** Where store and baseUrl came from (unset: no value). */
  origins: { store?: ValueOrigin; baseUrl?: ValueOrigin };
}

/**
 * Load the effective configuration: locate the file (`--config` > OVIRT_REPO_CONFIG > ./ovirt-repo.yaml;
 * none at all means built-in defaults), validate it, fill defaults, resolve its paths against its own
 * directory, then apply the environment and command-line values. Every problem of the file is reported in one
 * OvirtRepoError (code E_CONFIG_INVALID) naming file:line:column and the key path of each.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const located = await locateConfig({ file: options.file, cwd, env });
  let config: OvirtRepoConfig;
  if (located) {
    let text: string;
    try {
      text = await readFile(located.file, 'utf8');
    } catch (e) {
      throw ioError('read', located.file, e);
    }
    // The parser and schema (yaml, zod: about 100 ms of module loading) only when there is a file.
    const { parseConfig } = await import('./parse.js');
    config = parseConfig(text, { file: located.file, cwd });
  } else {
    config = resolveConfig({}, cwd);
  }
  const origins: LoadedConfig['origins'] = {};
  if (config.store !== undefined) origins.store = 'file';
  if (config.baseUrl !== undefined) origins.baseUrl = 'file';

  const store = pick(options.overrides?.store, env[STORE_ENV]);
  if (store) {
    config.store = resolveLocation(cwd, store.value);
    origins.store = store.origin;
  }
  const baseUrl = pick(options.overrides?.baseUrl, env[BASE_URL_ENV]);
  if (baseUrl) {
    const problem = baseUrlProblem(baseUrl.value);
    if (problem) {
      const name = baseUrl.origin === 'flag' ? '--base-url' : BASE_URL_ENV;
      throw new OvirtRepoError(ErrorCodes.USAGE, `${name} ${problem}`, { hint: 'give the URL the store directory is served at, e.g. https://repos.example.org/ci' });
    }
    config.baseUrl = normalizeBaseUrl(baseUrl.value);
    origins.baseUrl = baseUrl.origin;
  } else if (config.baseUrl === undefined && config.store !== undefined && isLocalStore(config.store)) {
    config.baseUrl = normalizeBaseUrl(urlScheme(config.store) === 'file' ? config.store : pathToFileURL(config.store).href);
    origins.baseUrl = 'default';
  }
  return { config, ...(located ? { file: located.file, via: located.via } : {}), origins };
}

/** A store path or file:// URL: its default base URL is its own file:// URL (other stores need --base-url). */
function isLocalStore(store: string): boolean {
  const scheme = urlScheme(store);
  return scheme === undefined || scheme === 'file';
}

function pick(flag: string | undefined, env: string | undefined): { value: string; origin: ValueOrigin } | undefined {
  if (flag) return { value: flag, origin: 'flag' };
  if (env) return { value: env, origin: 'env' };
  return undefined;
}
