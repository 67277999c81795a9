import { resolve } from 'node:path';
import {
  defaultUserAgent,
  displayUri,
  ErrorCodes,
  isUnreachableError,
  lineProblem,
  type Logger,
  type NetworkSettings,
  OvirtRepoError,
  formatRunLock,
  readRunLock,
  type ReadUriOptions,
  type RunLock,
  silentLogger,
} from '@ovirt-repo/core';
import { type ConfigFile, encodeConfig, readConfigFile } from './config-file.js';
import { expandFileArgs } from './glob.js';
import { tlsMaterial } from './reach.js';
import { requireSections, type RequireView } from './require.js';
import { injectConfigText, type InjectedSection, type InjectTextResult, type InsertedSection } from './inject-text.js';
import { buildLock } from './lock/build.js';
import { mirrorMapFromLock } from './lock/apply.js';
import { loadMirrorMap } from './mirror-map/load.js';
import { DEFAULT_VARNAME } from './mirror-map/shape.js';
import { checkOutput, type OutputFile, replaceAll } from './outputs.js';
import { emptyMirrorMap, type MirrorMap } from './mirror-map/types.js';

export interface InjectFilesOptions {
  /** Config files or glob patterns (expanded here, so quoted patterns work). */
  files: string[];
  /** Mirror map URI. Exactly one of `mirrors` and `fromLock` is required. */
  mirrors?: string;
  /** Apply the URLs a lock recorded instead of reading a map; proxy settings come from the lock too. */
  fromLock?: string;
  varname?: string;
  allowProxy?: boolean;
  /** --ca-cert, --client-cert, --client-key for an https map and the snapshots a lock records. */
  tls?: NetworkSettings;
  noneValue?: string;
  /** An unreachable map is an error instead of a warning. */
  strict?: boolean;
  /** Sections that must be injected (or inserted) into some config, else nothing is written (see requireSections). */
  require?: string[];
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
  /** Repo sections the map does not name, kept as they were. */
  leftAlone: string[];
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
 * mirror (mirror_client's inject_yum_mirrors_file, for many files).
 *
 * All or nothing: every output (each config, the lock) is checked to be a regular file or a new name
 * before the map is read; the map is read and checked, every config parsed and injected in memory and the
 * lock built (its repomd.xml digests fetched) before anything is written; then replaceAll writes the new
 * files beside their targets and renames them into place, the lock last. A failure before those renames
 * leaves every file as it was, and a failing rename puts back the files already replaced.
 */
export async function injectFiles(options: InjectFilesOptions): Promise<InjectFilesResult> {
  const log = options.logger ?? silentLogger;
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    log.warn(m);
  };
  const source = checkSource(options);
  const cwd = options.cwd ?? '.';
  const paths = await expandFileArgs(options.files, options.cwd);
  const configs = await Promise.all(paths.map(readConfigFile));
  const lockFile = options.lockOut === undefined ? undefined : await checkLockOut(resolve(cwd, options.lockOut), configs);
  const now = options.now ?? (() => new Date());
  const tls = await tlsMaterial(options.tls, log);

  let map: MirrorMap;
  let lockMap: RunLock['map'];
  let lockOptions: RunLock['options'];
  let summary: InjectFilesResult['map'];
  if ('fromLock' in source) {
    const lockPath = resolve(cwd, source.fromLock);
    const lock = await readRunLock(lockPath);
    map = mirrorMapFromLock(lock);
    lockOptions = lock.options;
    lockMap = { uri: null, varname: lock.map.varname, sources: [], fromLock: lockPath };
    summary = { uri: null, fromLock: lockPath, sources: [], repos: map.repos.size, insertions: count(map) };
  } else {
    const varname = options.varname ?? DEFAULT_VARNAME;
    lockOptions = { allowProxy: options.allowProxy ?? false, noneValue: options.noneValue ?? null };
    try {
      const loaded = await loadMirrorMap(source.mirrors, { varname, allowProxy: options.allowProxy, ...(tls ? { tls } : {}), http: options.http, logger: log });
      map = loaded;
      lockMap = { uri: loaded.uri, varname, sources: loaded.sources };
      summary = { uri: loaded.uri, sources: loaded.sources, repos: loaded.repos.size, insertions: count(loaded) };
    } catch (e) {
      if (!isUnreachableError(e) || options.strict) throw e;
      // Each config as it stays: every section left alone.
      const untouched = configs.map((c) => ({ path: c.path, out: injectConfigText(c.text, emptyMirrorMap(), { source: c.path }) }));
      if (options.require?.length) requireSections(options.require, untouched.map(({ path, out }) => viewOf(path, out)), undefined, e.message);
      // Jobs run on when the mirrors are down, against the repos their configs name (mirror_client's
      // behaviour); --strict is for jobs that must not.
      warn(`mirror map unreachable, configs left unchanged: ${e.message}`);
      const result: InjectFilesResult = {
        status: 'unreachable',
        map: { uri: source.mirrors, sources: [], repos: 0, insertions: 0, error: e.message },
        files: untouched.map(({ path, out }) => ({ path, changed: false, injected: [], inserted: [], skipped: [], leftAlone: out.sections })),
        warnings,
      };
      if (lockFile) {
        const lock = await buildLock({
          files: [],
          map: { uri: source.mirrors, varname, sources: [], unreachable: e.message },
          options: lockOptions,
          createdAt: now(),
          createdBy: defaultUserAgent(),
        });
        await replaceAll([{ file: lockFile, data: await formatRunLock(lock, lockFile.path) }]);
        result.lock = { path: lockFile.path, entries: 0 };
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
    log.debug(`${config.path}: ${out.injected.length} injected, ${out.inserted.length} inserted${out.changed ? '' : ' (unchanged)'}`);
    return { config, out };
  });
  const files: InjectedFile[] = outputs.map(({ config, out }) => ({
    path: config.path,
    changed: out.changed,
    injected: out.injected,
    inserted: out.inserted,
    skipped: out.skipped,
    leftAlone: out.sections.filter((s) => !out.skipped.includes(s) && !out.injected.some((i) => i.section === s)),
  }));
  if (options.require?.length) requireSections(options.require, outputs.map(({ config, out }) => viewOf(config.path, out)), map);
  const result: InjectFilesResult = { status: 'injected', map: summary, files, warnings };
  // A config named twice (a link and its target) is one file: written once.
  const writes = new Map<string, { file: OutputFile; data: Buffer }>();
  for (const { config, out } of outputs) {
    if (out.changed && !writes.has(config.file.target)) writes.set(config.file.target, { file: config.file, data: encodeConfig(config, out.text) });
  }
  if (lockFile) {
    const lock = await buildLock({ files, map: lockMap, options: lockOptions, createdAt: now(), createdBy: defaultUserAgent(), http: options.http, ...(tls ? { tls } : {}), logger: log });
    writes.set(lockFile.target, { file: lockFile, data: Buffer.from(await formatRunLock(lock, lockFile.path)) });
    result.lock = { path: lockFile.path, entries: lock.entries.length };
  }
  // The lock last: once it is in place, every config it records is too.
  await replaceAll([...writes.values()]);
  return result;
}

/** The --lock-out file, checked before anything is read: a regular file or a new name, and none of the configs. */
async function checkLockOut(path: string, configs: ConfigFile[]): Promise<OutputFile> {
  const file = await checkOutput(path, { mayBeNew: true, flag: '--lock-out' });
  if (configs.some((c) => c.file.target === file.target)) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `--lock-out ${path} is also a config to inject`, { hint: 'write the lock to a file of its own, e.g. run.lock.json' });
  }
  return file;
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

function viewOf(path: string, out: InjectTextResult): RequireView {
  return { path, sections: out.sections, injected: out.injected.map((i) => i.section), inserted: out.inserted.map((i) => i.repo), skipped: out.skipped };
}

function flagName(k: string): string {
  return `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function count(map: MirrorMap): number {
  let n = 0;
  for (const list of map.before.values()) n += list.length;
  return n;
}
