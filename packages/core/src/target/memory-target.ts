import { Readable } from 'node:stream';
import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { isUnderTargetPath, nonRootTargetPath, normalizeTargetPath } from './paths.js';
import { putDataToStream } from './put-data.js';
import type { BatchCapable, PutData, PutItem, SyncTarget, TargetEntry } from './sync-target.js';

/**
 * A SyncTarget held in memory: for unit tests of code that publishes (and of conformance checks), and as
 * the smallest complete implementation to read. Puts are atomic because the map entry is swapped only after
 * the whole content has been read.
 */
export class MemoryTarget implements SyncTarget, BatchCapable {
  readonly scheme = 'memory';
  readonly atomicRename = true;
  readonly limitations = ['Content lives in this process only and is lost when it exits.'];
  /** The stored files by normalised path. */
  readonly files = new Map<string, Buffer>();

  constructor(readonly location = 'memory:') {}

  async list(prefix = ''): Promise<TargetEntry[]> {
    const dir = normalizeTargetPath(prefix);
    return [...this.files]
      .filter(([path]) => path !== dir && isUnderTargetPath(path, dir))
      .map(([path, data]) => ({ path, type: 'file' as const, size: data.length }));
  }

  async stat(path: string): Promise<TargetEntry | undefined> {
    const p = normalizeTargetPath(path);
    const data = this.files.get(p);
    if (data) return { path: p, type: 'file', size: data.length };
    const isDir = p === '' || [...this.files.keys()].some((k) => k.startsWith(`${p}/`));
    return isDir ? { path: p, type: 'directory', size: 0 } : undefined;
  }

  async read(path: string): Promise<Readable> {
    const p = normalizeTargetPath(path);
    const data = this.files.get(p);
    if (!data) throw new OvirtRepoError(ErrorCodes.NOT_FOUND, `read failed for ${this.location}${p}: no such file`, { target: p });
    return Readable.from([data]);
  }

  async put(path: string, data: PutData): Promise<void> {
    const p = normalizeTargetPath(path);
    const chunks: Buffer[] = [];
    for await (const chunk of putDataToStream(data)) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    this.files.set(p, Buffer.concat(chunks));
  }

  async rename(from: string, to: string): Promise<void> {
    const f = nonRootTargetPath(from, 'rename');
    const t = nonRootTargetPath(to, 'rename onto');
    const data = this.files.get(f);
    if (!data) throw new OvirtRepoError(ErrorCodes.NOT_FOUND, `rename failed for ${this.location}${f}: no such file`, { target: f });
    this.files.set(t, data);
    if (f !== t) this.files.delete(f);
  }

  async remove(path: string): Promise<void> {
    const p = nonRootTargetPath(path, 'remove');
    for (const key of [...this.files.keys()]) if (isUnderTargetPath(key, p)) this.files.delete(key);
  }

  async putMany(items: readonly PutItem[]): Promise<void> {
    for (const item of items) await this.put(item.path, item.data);
  }

  async removeMany(paths: readonly string[]): Promise<void> {
    for (const path of paths) await this.remove(path);
  }
}
