import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LineCounter, parseDocument } from 'yaml';
import { ErrorCodes, OvirtRepoError, ioError } from '../errors/index.js';
import { baseUrlProblem, normalizeBaseUrl } from './locations.js';
import { locateConfig, type LocatedConfig } from './locate.js';
import { positionOf } from './positions.js';
import { YAML_SYNTAX_HINT, configError, crossKeyProblems, issueProblems, type ConfigProblem, type PathProblem } from './problems.js';
import { resolveConfig, type OvirtRepoConfig } from './resolve.js';
import { configFileSchema } from './schema.js';
import { formatKeyPath } from './wording.js';
import { BASE_URL_ENV, STORE_ENV } from './store-env.js';

export { BASE_URL_ENV, STORE_ENV, requireStore } from './store-env.js';

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
    config = parseConfig(text, { file: located.file, cwd });
  } else {
    config = resolveConfig({}, cwd);
  }
  const origins: LoadedConfig['origins'] = {};
  if (config.store !== undefined) origins.store = 'file';
  if (config.baseUrl !== undefined) origins.baseUrl = 'file';

  const store = pick(options.overrides?.store, env[STORE_ENV]);
  if (store) {
    config.store = resolve(cwd, store.value);
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
  } else if (config.baseUrl === undefined && config.store !== undefined) {
    config.baseUrl = normalizeBaseUrl(pathToFileURL(config.store).href);
    origins.baseUrl = 'default';
  }
  return { config, ...(located ? { file: located.file, via: located.via } : {}), origins };
}

export interface ParseConfigOptions {
  /** The file the text came from: named in messages, and relative paths in it start from its directory. */
  file: string;
  /** Messages name the file relative to this directory when it is inside it. Default: process.cwd(). */
  cwd?: string;
}

/**
 * Validate configuration text and return the effective configuration (defaults filled, paths resolved
 * against the file's directory; no environment or flags applied). Throws one E_CONFIG_INVALID error listing
 * every problem: YAML syntax errors, or else schema and cross-key problems.
 */
export function parseConfig(text: string, options: ParseConfigOptions): OvirtRepoConfig {
  const file = resolve(options.file);
  const shown = displayName(file, options.cwd ?? process.cwd());
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, keepSourceTokens: true, prettyErrors: false, merge: true, uniqueKeys: true });

  if (doc.errors.length > 0) {
    const problems: ConfigProblem[] = doc.errors.map((e) => {
      const { line, col } = lineCounter.linePos(e.pos[0]);
      return { file, line, column: col, path: '', keyPath: [], message: `YAML syntax error: ${e.message.split('\n')[0]}` };
    });
    throw configError(shown, file, sortProblems(problems), YAML_SYNTAX_HINT);
  }

  const raw: unknown = doc.toJS({ maxAliasCount: 1000 }) ?? {};
  const parsed = configFileSchema.safeParse(raw, { reportInput: true });
  const found: PathProblem[] = [...(parsed.success ? [] : issueProblems(parsed.error.issues, configFileSchema)), ...crossKeyProblems(raw)];
  if (found.length > 0 || !parsed.success) {
    const problems = found.map((p): ConfigProblem => ({ file, ...positionOf(doc, lineCounter, p.keyPath), path: formatKeyPath(p.keyPath), keyPath: p.keyPath, message: p.message }));
    throw configError(shown, file, sortProblems(dedupe(problems)));
  }
  return resolveConfig(parsed.data, dirname(file));
}

/**
 * The store directory, or a usage error saying the three ways to give one. For commands that need a store.
 */
function pick(flag: string | undefined, env: string | undefined): { value: string; origin: ValueOrigin } | undefined {
  if (flag) return { value: flag, origin: 'flag' };
  if (env) return { value: env, origin: 'env' };
  return undefined;
}

function displayName(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column || a.message.localeCompare(b.message));
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\0${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
