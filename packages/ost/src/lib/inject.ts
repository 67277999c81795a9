import { resolve } from 'node:path';
import {
  defaultUserAgent,
  displayUri,
  ErrorCodes,
  isUnreachableError,
  lineProblem,
  type Logger,
  OvirtRepoError,
  readRunLock,
  type ReadUriOptions,
  type RunLock,
  silentLogger,
  writeFileAtomic,
  writeRunLock,
} from '@ovirt-repo/core';
import { encodeConfig, readConfigFile } from './config-file.js';
import { expandFileArgs } from './glob.js';
import { injectConfigText, type InjectedSection, type InsertedSection } from './inject-text.js';
import { buildLock } from './lock/build.js';
import { mirrorMapFromLock } from './lock/apply.js';
import { loadMirrorMap } from './mirror-map/load.js';
import { DEFAULT_VARNAME } from './mirror-map/shape.js';
import type { MirrorMap } from './mirror-map/types.js';

export interface InjectFilesOptions {
  /** Config files or glob patterns (expanded here, so quoted patterns work). */
  files: string[];
  /** Mirror map URI. Exactly one of `mirrors` and `fromLock` is required. */
  mirrors?: string;
  /** Apply the URLs a lock recorded instead of reading a map; proxy settings come from the lock too. */
  fromLock?: string;
  varname?: string;
  allowProxy?: boolean;
  noneValue?: string;
  /** An unreachable map is an error instead of a warning. */
  strict?: boolean;
  /** Write a lock file recording what was injected. */
  lockOut?: string;
  cwd?: string;
  http?: Pick<ReadUriOptions, 'tries' | 'timeoutMs' | 'retryDelayMs'>;
  logger?: Logger;
  /** Clock for the lock's createdAt. */
  now?: () => Date;
}

export interface InjectedFile {
  path: string;
  changed: boolean;
  injected: InjectedSection[];
  inserted: InsertedSection[];
  skipped: string[];
}

export interface InjectFilesResult {
  /** `injected`: the map was applied (files may still be unchanged if it names none of their repos).
   *  `unreachable`: the map could not be read; every file was left as it was. */
  status: 'injected' | 'unreachable';
  map: { uri: string | null; fromLock?: string; sources: string[]; repos: number; insertions: number; error?: string };
  files: InjectedFile[];
  warnings: string[];
  lock?: { path: string; entries: number };
}

/**
 * `ovirt-repo inject`: point every repo of the given yum/dnf configs that the mirror map names at its
 * mirror (mirror_client's inject_yum_mirrors_file, for many files). All files are parsed and injected in
 * memory first, so a config that does not parse leaves every file untouched; then each changed file is
 * replaced atomically.
 */
export async function injectFiles(options: InjectFilesOptions): Promise<InjectFilesResult> {
  const log = options.logger ?? silentLogger;
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    log.warn(m);
  };
  const source = checkSource(options);
  const paths = await expandFileArgs(options.files, options.cwd);
  const configs = await Promise.all(paths.map(readConfigFile));

  let map: MirrorMap;
  let lockMap: RunLock['map'];
  let lockOptions: RunLock['options'];
  let summary: InjectFilesResult['map'];
  if ('fromLock' in source) {
    const lockPath = resolve(options.cwd ?? '.', source.fromLock);
    const lock = await readRunLock(lockPath);
    map = mirrorMapFromLock(lock);
    lockOptions = lock.options;
    lockMap = { uri: null, varname: lock.map.varname, sources: [], fromLock: lockPath };
    summary = { uri: null, fromLock: lockPath, sources: [], repos: map.repos.size, insertions: count(map) };
  } else {
    const varname = options.varname ?? DEFAULT_VARNAME;
    lockOptions = { allowProxy: options.allowProxy ?? false, noneValue: options.noneValue ?? null };
    try {
      const loaded = await loadMirrorMap(source.mirrors, { varname, allowProxy: options.allowProxy, http: options.http, logger: log });
      map = loaded;
      lockMap = { uri: loaded.uri, varname, sources: loaded.sources };
      summary = { uri: loaded.uri, sources: loaded.sources, repos: loaded.repos.size, insertions: count(loaded) };
    } catch (e) {
      if (!isUnreachableError(e) || options.strict) throw e;
      // Jobs run on when the mirrors are down, against the repos their configs name (mirror_client's
      // behaviour); --strict is for jobs that must not.
      warn(`mirror map unreachable, configs left unchanged: ${e.message}`);
      const result: InjectFilesResult = {
        status: 'unreachable',
        map: { uri: source.mirrors, sources: [], repos: 0, insertions: 0, error: e.message },
        files: configs.map((c) => ({ path: c.path, changed: false, injected: [], inserted: [], skipped: [] })),
        warnings,
      };
      if (options.lockOut) {
        const lock = await buildLock({
          files: [],
          map: { uri: source.mirrors, varname, sources: [], unreachable: e.message },
          options: lockOptions,
          createdAt: (options.now ?? (() => new Date()))(),
          createdBy: defaultUserAgent(),
        });
        result.lock = { path: await writeRunLock(resolve(options.cwd ?? '.', options.lockOut), lock), entries: 0 };
      }
      return result;
    }
  }

  const outputs = configs.map((config) => {
    const out = injectConfigText(config.text, map, {
      source: config.path,
      allowProxy: lockOptions.allowProxy,
      noneValue: lockOptions.noneValue ?? undefined,
    });
    out.warnings.forEach(warn);
    return { config, out };
  });
  for (const { config, out } of outputs) {
    if (out.changed) await writeFileAtomic(config.realPath, encodeConfig(config, out.text), config.mode);
    log.debug(`${config.path}: ${out.injected.length} injected, ${out.inserted.length} inserted${out.changed ? '' : ' (unchanged)'}`);
  }
  const files: InjectedFile[] = outputs.map(({ config, out }) => ({
    path: config.path,
    changed: out.changed,
    injected: out.injected,
    inserted: out.inserted,
    skipped: out.skipped,
  }));
  const result: InjectFilesResult = { status: 'injected', map: summary, files, warnings };
  if (options.lockOut) {
    const lock = await buildLock({
      files,
      map: lockMap,
      options: lockOptions,
      createdAt: (options.now ?? (() => new Date()))(),
      createdBy: defaultUserAgent(),
      http: options.http,
      logger: log,
    });
    result.lock = { path: await writeRunLock(resolve(options.cwd ?? '.', options.lockOut), lock), entries: lock.entries.length };
  }
  return result;
}

function checkSource(options: InjectFilesOptions): { fromLock: string } | { mirrors: string } {
  if (options.files.length === 0) {
    throw new OvirtRepoError(ErrorCodes.USAGE, 'no config files given', { hint: 'name the yum/reposync configs to inject, e.g. reposync-config.repo' });
  }
  if (options.fromLock) {
    const clash = (['mirrors', 'varname', 'allowProxy', 'noneValue'] as const).filter((k) => options[k] !== undefined);
    if (clash.length > 0) {
      throw new OvirtRepoError(ErrorCodes.USAGE, `--from-lock cannot be combined with ${clash.map(flagName).join(', ')}`, {
        hint: 'a lock records the URLs and proxy settings to apply; drop the other options',
      });
    }
    return { fromLock: options.fromLock };
  }
  const noneValueProblem = options.noneValue === undefined ? undefined : lineProblem(options.noneValue);
  if (noneValueProblem) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `--none-value ${noneValueProblem}`, { hint: 'the no-proxy value is written into the configs: one line, e.g. _none_ or None' });
  }
  if (!options.mirrors) {
    throw new OvirtRepoError(ErrorCodes.USAGE, 'no mirror map given', {
      hint: 'pass --mirrors <URI> (or set CI_MIRRORS_URL), or --from-lock <lock file>',
    });
  }
  options.logger?.debug(`mirror map: ${displayUri(options.mirrors)}`);
  return { mirrors: options.mirrors };
}

function flagName(k: string): string {
  return `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function count(map: MirrorMap): number {
  let n = 0;
  for (const list of map.before.values()) n += list.length;
  return n;
}
