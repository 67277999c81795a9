import { ReadStream, constants } from 'node:fs';
import { copyFile, lstat, mkdir, readdir, rename, rm, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ErrorCodes, OvirtRepoError, fsyncPath, ioError, makeDirectory, storeKey, tempPathFor, type StagedWrite, type StoreData } from '@ovirt-repo/core';
import { writeNewFile } from './files.js';

/**
 * A set of files built in a temp directory beside the prefix's place (same filesystem), each written and
 * fsynced as it comes; commit fsyncs the directories and renames the whole directory into place, the one
 * step that makes the set visible. A writer killed before leaves only the temp directory, which
 * removeLeftovers takes away. A writer that was only paused meanwhile (its lock broken as stale) may find
 * that directory taken away: removeLeftovers renames it aside before deleting it, so either the commit's
 * rename or the remover's wins, and commit checks that every file it wrote is still there (a write after
 * the removal makes the directory again, with only that file). Then it is E_CONFLICT and nothing shows.
 */
export class LocalStagedWrite implements StagedWrite {
  #settled = false;
  /** Keys written (files and links), relative to the prefix. */
  readonly #written = new Set<string>();

  private constructor(
    readonly prefix: string,
    readonly localDir: string,
    private readonly final: string,
    private readonly where: string,
    private readonly checkLink: (key: string, target: string) => void,
  ) {}

  static async start(prefix: string, final: string, where: string, checkLink: (key: string, target: string) => void): Promise<LocalStagedWrite> {
    await makeDirectory(dirname(final));
    const dir = tempPathFor(final);
    await mkdir(dir, { mode: 0o755 });
    return new LocalStagedWrite(prefix, dir, final, where, checkLink);
  }

  async write(key: string, data: StoreData): Promise<void> {
    const path = join(this.localDir, storeKey(key, 'staged write'));
    const source = wholeFileOf(data);
    if (source === undefined) {
      await writeNewFile(path, data, { sync: true });
      this.#written.add(key);
      return;
    }
    // A whole file on this machine (a sync's metadata, made in its work area): copied by the kernel, which
    // costs a fraction of streaming it through here.
    (data as ReadStream).destroy();
    await makeDirectory(dirname(path));
    try {
      await copyFile(source, path, constants.COPYFILE_EXCL);
    } catch (e) {
      throw ioError('copy', `${source} -> ${path}`, e);
    }
    await fsyncPath(path);
    this.#written.add(key);
  }

  async symlink(key: string, target: string): Promise<void> {
    this.checkLink(storeKey(key, 'staged symlink'), target);
    const path = join(this.localDir, key);
    await makeDirectory(dirname(path));
    await symlink(target, path);
    this.#written.add(key);
  }

  async commit(): Promise<void> {
    if (this.#settled) throw new OvirtRepoError(ErrorCodes.INTERNAL, `staged write of ${this.where} was already committed or discarded`);
    const lost = () =>
      new OvirtRepoError(ErrorCodes.CONFLICT, `commit: the staged set of ${this.where} was taken away while this writer was paused (its lock was broken as stale)`, {
        target: this.where,
        hint: "another writer took it for a dead writer's leftovers; nothing was published by this one",
      });
    const present = await fsyncTree(this.localDir).catch((e: unknown) => {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    });
    if (!present || [...this.#written].some((key) => !present.has(key))) throw lost();
    const conflict = () =>
      new OvirtRepoError(ErrorCodes.CONFLICT, `commit: ${this.where} exists already`, {
        target: this.where,
        hint: 'another writer made it meanwhile; nothing was published by this one',
      });
    if (await lstat(this.final).catch(() => undefined)) throw conflict();
    try {
      await rename(this.localDir, this.final);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') throw conflict();
      if (code === 'ENOENT') throw lost();
      throw e;
    }
    this.#settled = true;
    await fsyncPath(dirname(this.final));
  }

  async discard(): Promise<void> {
    if (this.#settled) return;
    this.#settled = true;
    await rm(this.localDir, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** The file `data` streams whole, when it is a file stream nothing has read from yet. */
function wholeFileOf(data: StoreData): string | undefined {
  if (!(data instanceof ReadStream) || typeof data.path !== 'string' || data.bytesRead !== 0) return undefined;
  const { start, end } = data as unknown as { start?: number; end?: number };
  return (start === undefined || start === 0) && (end === undefined || end === Infinity) ? data.path : undefined;
}

/**
 * fsync every directory of a tree, deepest first, so the entries of each are durable before its parent's.
 * Returns the keys of what is not a directory ('/'-separated, relative to `dir`).
 */
async function fsyncTree(dir: string, under = '', found = new Set<string>()): Promise<Set<string>> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const key = under ? `${under}/${e.name}` : e.name;
    if (e.isDirectory()) await fsyncTree(join(dir, e.name), key, found);
    else found.add(key);
  }
  await fsyncPath(dir);
  return found;
}
