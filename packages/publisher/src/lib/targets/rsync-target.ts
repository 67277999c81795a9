import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, link, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  ErrorCodes,
  OvirtRepoError,
  isLocalFile,
  isUnderTargetPath,
  nonRootTargetPath,
  normalizeTargetPath,
  silentLogger,
  targetBasename,
  writePutDataToFile,
  type BatchCapable,
  type Logger,
  type PutData,
  type PutItem,
  type SyncTarget,
  type TargetEntry,
  type TargetLocation,
  type TargetOpenOptions,
  makeDirectory,
} from '@ovirt-repo/core';
import { makeWorkDir } from '../work-dir.js';
import { parseRsyncLocation, type RsyncEndpoint } from './rsync-location.js';
import { runProcess } from './run-process.js';

/** Settings accepted through `--target-option key=value`. */
export const RSYNC_SETTINGS = {
  rsh: 'Remote shell for ssh destinations (rsync -e). Default: $RSYNC_RSH, else "ssh -o BatchMode=yes".',
  'rsync-path': 'Path of rsync on the remote host (rsync --rsync-path).',
  timeout: 'I/O timeout in seconds (rsync --timeout). Default 300.',
  contimeout: 'Connection timeout in seconds for rsync:// daemons (rsync --contimeout). Default 30.',
  'password-file': 'File holding the rsync daemon password (rsync --password-file); or set RSYNC_PASSWORD.',
  rsync: 'Local rsync binary. Default: rsync from PATH.',
} as const;

export const RSYNC_LIMITATIONS = [
  'rename() is copy-then-remove through this machine, because rsync cannot rename a remote file: it is not atomic (publish never relies on it).',
  'Each put is atomic: the receiving rsync writes a temp file beside the destination and renames it over the old one. A batch of puts is not: its files appear one by one.',
  'No locks: run one publisher per destination at a time (for example a CI lock around the publish job).',
  'A transfer killed at the wrong moment may leave the receiver\'s temp file (.name.XXXXXX); publish removes such leftovers on its next run.',
  'rsync:// modules must be writable (read only = false) and must not refuse the "delete" option; removals are done with --delete on a filtered file list.',
  'list, stat, read, put and remove each run one rsync process (one connection or ssh session); reads are staged through a local temp file.',
];

const LIST_LINE = /^(\S)\S{9}\S*\s+(\d+)\s+(\d{4})\/(\d\d)\/(\d\d)\s+(\d\d):(\d\d):(\d\d)\s(.*)$/;

/**
 * A directory on another machine reached with the system rsync: an rsync daemon module
 * (`rsync://host[:port]/module/path`) or a path over ssh (`host:path`, `user@host:/abs/path`,
 * `ssh://user@host:port/abs/path`). Only rsync operations are used — no remote shell commands — so it also
 * works with restricted keys (rrsync) that allow nothing but rsync. See RSYNC_LIMITATIONS for what it
 * cannot do.
 */
export class RsyncTarget implements SyncTarget, BatchCapable {
  readonly atomicRename = false;
  readonly limitations = RSYNC_LIMITATIONS;
  readonly scheme: string;
  readonly location: string;
  readonly endpoint: RsyncEndpoint;
  private readonly settings: Readonly<Record<string, string>>;
  private readonly env: NodeJS.ProcessEnv;
  private readonly logger: Logger;
  private scratch?: Promise<string>;

  constructor(scheme: string, endpoint: RsyncEndpoint, options: TargetOpenOptions = {}) {
    this.scheme = scheme;
    this.endpoint = endpoint;
    this.location = endpoint.display;
    this.settings = options.settings ?? {};
    this.env = options.env ?? process.env;
    this.logger = options.logger ?? silentLogger;
    for (const key of Object.keys(this.settings)) {
      if (!(key in RSYNC_SETTINGS)) {
        throw new OvirtRepoError(ErrorCodes.USAGE, `Unknown --target-option "${key}" for ${this.location}`, {
          hint: `rsync targets accept: ${Object.keys(RSYNC_SETTINGS).join(', ')}.`,
        });
      }
    }
  }

  /** Factory for the registry (schemes rsync, ssh and the scp-like host:path form). */
  static open(location: TargetLocation, options: TargetOpenOptions): RsyncTarget {
    return new RsyncTarget(location.scheme, parseRsyncLocation(location, options.settings?.rsh ?? options.env?.RSYNC_RSH ?? process.env.RSYNC_RSH), options);
  }

  // ----- SyncTarget -------------------------------------------------------------------------------------

  async list(prefix = ''): Promise<TargetEntry[]> {
    const rel = normalizeTargetPath(prefix);
    const result = await this.rsync('list', rel, ['--list-only', '-r', '--copy-links', this.remote(rel, true)], { notFoundOk: true });
    if (result === undefined) return [];
    const out: TargetEntry[] = [];
    for (const line of result.split('\n')) {
      const entry = parseListLine(line);
      if (!entry || entry.type !== 'file') continue;
      const path = normalizeTargetPath(rel === '' ? entry.name : `${rel}/${entry.name}`);
      out.push({ path, type: 'file', size: entry.size, mtimeMs: entry.mtimeMs });
    }
    return out;
  }

  async stat(path: string): Promise<TargetEntry | undefined> {
    const rel = normalizeTargetPath(path);
    const result = await this.rsync('stat', rel, ['--list-only', '-d', '--copy-links', this.remote(rel, rel === '')], { notFoundOk: true });
    if (result === undefined) return undefined;
    const want = rel === '' ? '.' : targetBasename(rel);
    for (const line of result.split('\n')) {
      const entry = parseListLine(line);
      if (entry && entry.name === want) {
        return { path: rel, type: entry.type, size: entry.type === 'file' ? entry.size : 0, mtimeMs: entry.mtimeMs };
      }
    }
    return undefined;
  }

  async read(path: string): Promise<Readable> {
    const rel = normalizeTargetPath(path);
    const local = join(await this.scratchDir(), `read-${randomBytes(6).toString('hex')}`);
    const result = await this.rsync('read', rel, ['--copy-links', this.remote(rel, false), local], { notFoundOk: true });
    const exists = await stat(local).then((s) => s.isFile(), () => false);
    if (result === undefined || !exists) {
      await rm(local, { force: true });
      throw new OvirtRepoError(ErrorCodes.NOT_FOUND, `read failed for ${this.describe(rel)}: no such file`, { target: this.describe(rel) });
    }
    const stream = createReadStream(local);
    stream.on('close', () => void rm(local, { force: true }));
    return stream;
  }

  async put(path: string, data: PutData): Promise<void> {
    await this.putMany([{ path, data }]);
  }

  async putMany(items: readonly PutItem[]): Promise<void> {
    if (items.length === 0) return;
    const stage = await mkdtemp(join(await this.scratchDir(), 'put-'));
    try {
      for (const item of items) {
        const rel = nonRootTargetPath(item.path, 'put');
        assertRsyncSafe(rel, this.describe(rel));
        const local = join(stage, ...this.fromAnchor(rel).split('/'));
        await makeDirectory(dirname(local), { mode: 0o755 });
        await rm(local, { force: true });
        if (isLocalFile(item.data)) {
          // Same filesystem (both under the temp dir) is the usual case: link instead of copying bytes.
          const source = item.data.localFile;
          await link(source, local).catch(() => copyFile(source, local));
        } else {
          await writePutDataToFile(item.data, local);
        }
        await chmod(local, 0o644).catch(() => undefined);
      }
      const what = items.length === 1 && items[0] ? normalizeTargetPath(items[0].path) : `${items.length} files`;
      // -I: always transfer (replace), never skip on matching size+mtime. No --inplace, no --partial: the
      // receiver writes each file to a temp name and renames it, which is what makes every put atomic.
      await this.rsync('put', what, ['-r', '-I', '--chmod=Du=rwx,Dgo=rx,Fu=rw,Fgo=r', `${stage}/`, this.anchorRoot()]);
    } finally {
      await rm(stage, { recursive: true, force: true });
    }
  }

  async rename(from: string, to: string): Promise<void> {
    const f = nonRootTargetPath(from, 'rename');
    const t = nonRootTargetPath(to, 'rename onto');
    if (f === t) return;
    const local = join(await this.scratchDir(), `rename-${randomBytes(6).toString('hex')}`);
    const result = await this.rsync('rename (download)', f, ['--copy-links', this.remote(f, false), local], { notFoundOk: true });
    try {
      if (result === undefined || !(await stat(local).then((s) => s.isFile(), () => false))) {
        throw new OvirtRepoError(ErrorCodes.NOT_FOUND, `rename failed for ${this.describe(f)}: no such file`, { target: this.describe(f) });
      }
      await this.putMany([{ path: t, data: { localFile: local } }]);
      await this.removeMany([f]);
    } finally {
      await rm(local, { force: true });
    }
  }

  async remove(path: string): Promise<void> {
    await this.removeMany([path]);
  }

  /**
   * Delete files and directories with one rsync run: an empty skeleton of their parent directories is
   * synced with --delete and a filter that includes exactly the doomed paths (everything else is excluded,
   * and excluded files are protected from deletion). --existing keeps rsync from creating the skeleton's
   * directories where they do not exist.
   */
  async removeMany(paths: readonly string[]): Promise<void> {
    const rels = [...new Set(paths.map((p) => nonRootTargetPath(p, 'remove')))].sort();
    // Drop paths inside another doomed directory: keeping that directory in the skeleton would save it.
    const doomed = rels.filter((p) => !rels.some((q) => q !== p && isUnderTargetPath(p, q)));
    if (doomed.length === 0) return;
    const skeleton = await mkdtemp(join(await this.scratchDir(), 'remove-'));
    try {
      const dirs = new Set<string>();
      const rules: string[] = [];
      for (const rel of doomed) {
        assertRsyncSafe(rel, this.describe(rel));
        const full = this.fromAnchor(rel).split('/');
        for (let i = 1; i < full.length; i++) dirs.add(full.slice(0, i).join('/'));
        const pattern = `/${full.map(escapeFilter).join('/')}`;
        rules.push(`+ ${pattern}`, `+ ${pattern}/***`);
      }
      for (const dir of dirs) {
        await makeDirectory(join(skeleton, 'tree', ...dir.split('/')));
        rules.unshift(`+ /${dir.split('/').map(escapeFilter).join('/')}/`);
      }
      await makeDirectory(join(skeleton, 'tree'));
      rules.push('- *');
      const rulesFile = join(skeleton, 'rules');
      await writeFile(rulesFile, `${rules.join('\n')}\n`);
      const what = doomed.length === 1 && doomed[0] ? doomed[0] : `${doomed.length} paths`;
      await this.rsync('remove', what, ['-r', '--delete', '--existing', `--filter=. ${rulesFile}`, `${join(skeleton, 'tree')}/`, this.anchorRoot()]);
    } finally {
      await rm(skeleton, { recursive: true, force: true });
    }
  }

  async close(): Promise<void> {
    const dir = this.scratch;
    this.scratch = undefined;
    if (dir) await rm(await dir, { recursive: true, force: true });
  }

  // ----- helpers ----------------------------------------------------------------------------------------

  /** The command line arguments every rsync run gets (connection and safety settings). */
  commonArgs(): string[] {
    const args = ['--no-human-readable', '--8-bit-output', `--timeout=${this.number('timeout', 300)}`];
    if (this.endpoint.kind === 'daemon') {
      args.push(`--contimeout=${this.number('contimeout', 30)}`);
      if (this.settings['password-file']) args.push(`--password-file=${this.settings['password-file']}`);
    } else {
      // --protect-args: remote file names travel inside the rsync protocol, never through the remote shell.
      args.push('--protect-args', '-e', this.endpoint.rsh ?? 'ssh -o BatchMode=yes');
    }
    if (this.settings['rsync-path']) args.push(`--rsync-path=${this.settings['rsync-path']}`);
    return args;
  }

  private number(key: string, fallback: number): number {
    const raw = this.settings[key];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) {
      throw new OvirtRepoError(ErrorCodes.USAGE, `--target-option ${key}=${raw} is not a whole number of seconds`, { hint: `Example: --target-option ${key}=60` });
    }
    return n;
  }

  protected fromAnchor(rel: string): string {
    return [this.endpoint.base, rel].filter((s) => s !== '').join('/');
  }

  /** rsync's spelling of `rel` (relative to the destination directory); directories get a trailing slash. */
  remote(rel: string, directory: boolean): string {
    const full = this.fromAnchor(rel);
    if (full === '') return this.anchorRoot();
    return `${this.endpoint.anchor}${full}${directory ? '/' : ''}`;
  }

  protected anchorRoot(): string {
    return this.endpoint.anchor.endsWith(':') ? `${this.endpoint.anchor}./` : this.endpoint.anchor;
  }

  protected describe(rel: string): string {
    return rel === '' ? this.location : `${this.location.replace(/\/$/, '')}/${rel}`;
  }

  protected scratchDir(): Promise<string> {
    this.scratch ??= makeWorkDir('rsync');
    return this.scratch;
  }

  /**
   * Run rsync; returns stdout, or undefined when `notFoundOk` and rsync said the remote path does not exist.
   * Any other failure is an E_TARGET error naming the operation, the destination and a likely fix.
   */
  protected async rsync(operation: string, rel: string, args: string[], options: { notFoundOk?: boolean } = {}): Promise<string | undefined> {
    const bin = this.settings.rsync ?? 'rsync';
    const argv = [...this.commonArgs(), ...args];
    this.logger.debug(`rsync ${argv.join(' ')}`);
    const result = await runProcess(bin, argv, this.env);
    // A list also goes on past files vanishing meanwhile (24) and links leading nowhere (23: the link of an
    // unsigned repomd.xml's signature), which it leaves out as FileTarget does.
    const dangling = result.exitCode === 23 && result.stderr.split('\n').every((l) => l.trim() === '' || /symlink has no referent|some files\/attrs were not transferred/.test(l));
    if (result.exitCode === 0 || (operation === 'list' && (result.exitCode === 24 || dangling))) return result.stdout;
    const stderr = result.stderr.trim();
    if (options.notFoundOk && result.exitCode === 23 && /No such file or directory|Not a directory/.test(stderr)) return undefined;
    throw rsyncError(operation, this.describe(rel), this.endpoint, result.exitCode, stderr, result.spawnError, result.cause);
  }
}

function rsyncError(operation: string, where: string, endpoint: RsyncEndpoint, exitCode: number | undefined, stderr: string, spawnCode: string | undefined, cause: unknown): OvirtRepoError {
  const tail = stderr.split('\n').filter((l) => l.trim() !== '').slice(-3).join(' | ');
  let hint = 'Check the destination URL and that rsync can reach it; run with --verbose to see the rsync command.';
  if (spawnCode === 'ENOENT' || exitCode === 127) hint = 'rsync is not installed here (or not on PATH): install it, or set --target-option rsync=/path/to/rsync.';
  else if (/Connection refused|No route to host|Name or service not known|Temporary failure in name resolution|timed out|timeout/i.test(stderr) || exitCode === 10 || exitCode === 35 || exitCode === 30) hint = endpoint.kind === 'daemon' ? 'Check the host and port, and that the rsync daemon is running and reachable from here.' : 'Check the host name and that ssh can reach it from here.';
  else if (/Unknown module/i.test(stderr)) hint = 'No such rsync module on the server: check the first path segment of the rsync:// URL (rsync rsync://host/ lists the modules).';
  else if (/auth failed|@ERROR: access denied/i.test(stderr)) hint = 'The rsync daemon refused us: set RSYNC_PASSWORD or --target-option password-file=FILE, and check "auth users"/"hosts allow" in rsyncd.conf.';
  else if (/read only|Permission denied|Operation not permitted|Read-only file system/i.test(stderr)) hint = endpoint.kind === 'daemon' ? 'The module or directory is not writable: set "read only = false" in rsyncd.conf and check the ownership of the module path.' : 'The remote directory is not writable by the ssh user: check its owner and mode.';
  else if (/Host key verification failed|Permission denied \(publickey/i.test(stderr) || exitCode === 255) hint = 'ssh could not log in: add the host to known_hosts and make sure the key is loaded (ssh-agent) or set --target-option rsh="ssh -i KEY".';
  else if (/refuse|option/i.test(stderr) && operation === 'remove') hint = 'The daemon refuses the options removal needs (--delete): remove "delete" from "refuse options" in rsyncd.conf.';
  else if (/No space left|Disk quota/i.test(stderr)) hint = 'The destination filesystem is full: free space, then publish again.';
  const message = `rsync ${operation} failed for ${where} (exit ${exitCode ?? spawnCode ?? '?'})${tail ? `: ${tail}` : ''}`;
  return new OvirtRepoError(ErrorCodes.TARGET, message, { target: where, hint, cause, data: { exitCode, stderr } });
}

/** Parse one `rsync --list-only --no-human-readable` line. */
export function parseListLine(line: string): { name: string; type: 'file' | 'directory'; size: number; mtimeMs: number } | undefined {
  const m = LIST_LINE.exec(line);
  if (!m) return undefined;
  const kind = m[1];
  if (kind !== '-' && kind !== 'd') return undefined;
  const [y, mo, d, h, mi, s] = m.slice(3, 9).map(Number) as [number, number, number, number, number, number];
  const name = (m[9] ?? '').replace(/\\#([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return { name, type: kind === 'd' ? 'directory' : 'file', size: Number(m[2]), mtimeMs: new Date(y, mo - 1, d, h, mi, s).getTime() };
}

/** Escape rsync filter wildcards in one path segment. */
function escapeFilter(segment: string): string {
  return segment.replace(/[*?[\\]/g, (c) => `\\${c}`);
}

/** Names rsync filter files or list output cannot carry reliably are refused up front. */
export function assertRsyncSafe(rel: string, where: string): void {
  if (/[\n\r]/.test(rel) || /(^|\/)\s|\s($|\/)/.test(rel)) {
    throw new OvirtRepoError(ErrorCodes.UNSAFE_PATH, `Refusing ${where}: names with line breaks or leading/trailing spaces cannot be handled over rsync`, {
      target: where,
      hint: 'Rename the file.',
    });
  }
}
