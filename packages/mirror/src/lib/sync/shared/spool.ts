import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, OvirtRepoError, ioError, makeDirectory } from '@ovirt-repo/core';

/**
 * Texts appended to a file of the sync's work area and read back by key, so that what a sync holds of
 * every package it takes from the sources (on a first sync, the whole repo) is on disk, not in memory.
 * Each key holds a fixed number of texts (its parts), stored one after another.
 */
export class Spool {
  private readonly places = new Map<string, { offset: number; lengths: number[] }>();
  private size = 0;

  private constructor(
    private readonly path: string,
    private readonly fd: number,
  ) {}

  /** A new spool, the file `name` in `dir` (see spoolIn, which closes it with the sync's work area). */
  static async create(dir: string, name: string): Promise<Spool> {
    const path = join(dir, name);
    try {
      await makeDirectory(dir);
      return new Spool(path, openSync(path, 'wx+'));
    } catch (e) {
      throw ioError('create', path, e);
    }
  }

  has(key: string): boolean {
    return this.places.has(key);
  }

  add(key: string, parts: readonly string[]): void {
    const buffers = parts.map((t) => Buffer.from(t, 'utf8'));
    const bytes = Buffer.concat(buffers);
    try {
      for (let done = 0; done < bytes.length; ) done += writeSync(this.fd, bytes, done, bytes.length - done, this.size + done);
    } catch (e) {
      throw ioError('write', this.path, e);
    }
    this.places.set(key, { offset: this.size, lengths: buffers.map((b) => b.length) });
    this.size += bytes.length;
  }

  /** The parts stored under `key`; an internal error if there are none (`what` names them). */
  get(key: string, what: string): string[] {
    const place = this.places.get(key);
    if (!place) throw new OvirtRepoError(ErrorCodes.INTERNAL, `internal: no ${what} for ${key}`);
    const bytes = Buffer.allocUnsafe(place.lengths.reduce((n, l) => n + l, 0));
    try {
      for (let done = 0; done < bytes.length; ) {
        const n = readSync(this.fd, bytes, done, bytes.length - done, place.offset + done);
        if (n === 0) throw new Error('the file is shorter than written');
        done += n;
      }
    } catch (e) {
      throw ioError('read', this.path, e);
    }
    let at = 0;
    return place.lengths.map((l) => bytes.toString('utf8', at, (at += l)));
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // Nothing is lost: the file goes with the work area.
    }
  }
}
