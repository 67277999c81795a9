import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ErrorCodes, OvirtRepoError, ioError } from '../errors/index.js';

/** The file looked for in the working directory. */
export const CONFIG_FILE_NAME = 'ovirt-repo.yaml';
/** Environment variable naming the configuration file (like --config). */
export const CONFIG_ENV = 'OVIRT_REPO_CONFIG';

export interface LocateConfigOptions {
  /** `--config FILE` (or a directory holding ovirt-repo.yaml). Must exist. */
  file?: string;
  /** Directory relative paths start from, and where ./ovirt-repo.yaml is looked for. Default: process.cwd(). */
  cwd?: string;
  /** Default: process.env (only OVIRT_REPO_CONFIG is read). */
  env?: NodeJS.ProcessEnv;
}

export interface LocatedConfig {
  /** Absolute path of the configuration file. */
  file: string;
  /** How it was found: `--config`, OVIRT_REPO_CONFIG, or ./ovirt-repo.yaml in the working directory. */
  via: 'flag' | 'env' | 'cwd';
}

/**
 * Find the configuration file: `--config` beats OVIRT_REPO_CONFIG beats ./ovirt-repo.yaml. A file named by
 * the flag or the variable must exist (a directory means its ovirt-repo.yaml); without either, a missing
 * ./ovirt-repo.yaml just means built-in defaults (undefined).
 */
export async function locateConfig(options: LocateConfigOptions = {}): Promise<LocatedConfig | undefined> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  if (options.file) return { file: await explicitFile(cwd, options.file, '--config'), via: 'flag' };
  const fromEnv = env[CONFIG_ENV];
  if (fromEnv) return { file: await explicitFile(cwd, fromEnv, CONFIG_ENV), via: 'env' };
  const candidate = join(cwd, CONFIG_FILE_NAME);
  const kind = await kindOf(candidate);
  return kind === 'file' ? { file: candidate, via: 'cwd' } : undefined;
}

async function explicitFile(cwd: string, given: string, source: string): Promise<string> {
  const path = resolve(cwd, given);
  const kind = await kindOf(path);
  if (kind === 'file') return path;
  if (kind === 'directory') {
    const inside = join(path, CONFIG_FILE_NAME);
    if ((await kindOf(inside)) === 'file') return inside;
    throw notFound(inside, `${source} names the directory ${given}, which holds no ${CONFIG_FILE_NAME}`);
  }
  throw notFound(path, `configuration file not found: ${given} (given by ${source})`);
}

function notFound(path: string, message: string): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.NOT_FOUND, message, {
    target: path,
    hint: `check the path, or leave out --config and ${CONFIG_ENV} to use ./${CONFIG_FILE_NAME} (or built-in defaults when there is none)`,
  });
}

async function kindOf(path: string): Promise<'file' | 'directory' | 'other' | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? 'file' : s.isDirectory() ? 'directory' : 'other';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw ioError('stat', path, e);
  }
}
