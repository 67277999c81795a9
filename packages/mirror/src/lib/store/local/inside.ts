import { realpath } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { ErrorCodes, OvirtRepoError } from '@ovirt-repo/core';

/**
 * Keeps a directory store's operations inside its root. A key is checked segment by segment (storeKey), so
 * it can only lead out through a symbolic link in the store: the real path of what an operation touches
 * (or of its nearest existing ancestor, for what is about to be made) must be the root's real path or
 * below it. A mount point inside the store is fine; the snapshots' `pool` link, which stays inside, too.
 */
export class Inside {
  #realRoot: string | undefined;
  /** Store parts (the first two levels: `pool/<dd>`, `yum/<repo>`, ...) found to be directories inside. */
  readonly #parts = new Set<string>();

  constructor(private readonly root: string) {}

  /** The root's real path; undefined while the root does not exist. */
  async realRoot(): Promise<string | undefined> {
    if (this.#realRoot === undefined) this.#realRoot = await realpath(this.root).catch(() => undefined);
    return this.#realRoot;
  }

  /**
   * Throws E_UNSAFE_PATH when `path` (followed through links) leads outside the store. `false` when the
   * store's root does not exist (there is nothing to touch yet).
   */
  async check(path: string, operation: string, where: string): Promise<boolean> {
    const real = await this.realRoot();
    if (real === undefined) return false;
    const got = await realpathOfNearest(path);
    this.#outside(got, real, operation, where);
    return true;
  }

  /**
   * check() for an operation on a leaf that follows no link of its own (stat, create, remove): only the
   * store part that holds it is looked at, once. The parts are what an admin may have linked elsewhere
   * (pool/ on another disk as a link, a fan-out shared with another store); below them the store's
   * directories are made by its writers. A pool write of thousands of packages otherwise paid a realpath
   * walk for each package, twice.
   */
  async checkPart(path: string, operation: string, where: string): Promise<boolean> {
    const real = await this.realRoot();
    if (real === undefined) return false;
    const segments = relative(this.root, path).split(sep);
    const part = segments.length > 2 ? join(this.root, segments[0] ?? '', segments[1] ?? '') : path;
    if (this.#parts.has(part)) return true;
    const got = await realpathOfNearest(part);
    this.#outside(got, real, operation, where);
    if (segments.length > 2) this.#parts.add(part);
    return true;
  }

  #outside(got: string, real: string, operation: string, where: string): void {
    if (got !== real && !got.startsWith(real.endsWith(sep) ? real : real + sep)) {
      throw new OvirtRepoError(ErrorCodes.UNSAFE_PATH, `${operation}: ${where} leads outside the store ${this.root} (to ${got}), through a symbolic link`, {
        target: where,
        hint: "a store's directories must be its own: replace the symbolic link with a directory of this store",
      });
    }
  }
}

/** The real path of `path`, or of its nearest ancestor that exists. */
async function realpathOfNearest(path: string): Promise<string> {
  for (let p = path; ; p = dirname(p)) {
    try {
      return await realpath(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dirname(p) === p) throw e;
    }
  }
}
