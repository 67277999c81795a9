import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import {
  ErrorCodes,
  OvirtRepoError,
  nonRootTargetPath,
  normalizeTargetPath,
  putDataToStream,
  tempPathFor,
  type PutData,
  type SyncTarget,
  type TargetEntry,
  type TargetLocation,
  makeDirectory,
} from '@ovirt-repo/core';

/**
 * The `example:` target: `example:///absolute/path` names a directory on this machine. It is deliberately
 * plain — node:fs only, no optional capabilities — so each SyncTarget method can be read on its own.
 * Copy this file to start a real target (S3, WebDAV...); docs/plugins.md walks through it.
 */
export class ExampleTarget implements SyncTarget {
  readonly scheme = 'example';
  /** rename(2) replaces the destination in one step. */
  readonly atomicRename = true;
  /** Say honestly what the target cannot do: publish logs these with --verbose. */
  readonly limitations = [
    'Does not fsync: after a power loss the newest files may be empty or missing (fine for an example, not for production).',
    'No locks: run one publisher per destination at a time.',
  ];
  readonly location: string;

  constructor(private readonly root: string) {
    this.location = `example://${root}`;
  }

  /** The factory the registry calls for `example:` locations. Validate the location here. */
  static open(location: TargetLocation): ExampleTarget {
    if (location.form !== 'url' || !location.url || location.url.host !== '' || location.url.pathname === '/') {
      throw new OvirtRepoError(ErrorCodes.USAGE, `Cannot use ${location.raw} as an example: destination`, {
        target: location.raw,
        hint: 'Write example:///absolute/path/to/directory (three slashes, no host).',
      });
    }
    return new ExampleTarget(resolve(fileURLToPath(`file://${location.url.pathname}`)));
  }

  /** Map a target path to a local one. normalizeTargetPath refuses "..", absolute paths and NUL bytes. */
  private local(path: string): string {
    return join(this.root, normalizeTargetPath(path));
  }

  async list(prefix = ''): Promise<TargetEntry[]> {
    const out: TargetEntry[] = [];
    const walk = async (rel: string): Promise<void> => {
      const entries = await readdir(this.local(rel), { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        const child = rel ? `${rel}/${entry.name}` : entry.name;
        if (entry.isDirectory()) await walk(child);
        else if (entry.isFile()) out.push({ path: child, type: 'file', size: (await stat(this.local(child))).size });
      }
    };
    await walk(normalizeTargetPath(prefix));
    return out;
  }

  async stat(path: string): Promise<TargetEntry | undefined> {
    const p = normalizeTargetPath(path);
    const s = await stat(this.local(p)).catch(() => undefined);
    if (!s) return undefined;
    return { path: p, type: s.isDirectory() ? 'directory' : 'file', size: s.isDirectory() ? 0 : s.size, mtimeMs: s.mtimeMs };
  }

  async read(path: string): Promise<Readable> {
    const p = normalizeTargetPath(path);
    const s = await stat(this.local(p)).catch(() => undefined);
    if (!s?.isFile()) {
      // E_NOT_FOUND is what callers test for; say which file, on which target.
      throw new OvirtRepoError(ErrorCodes.NOT_FOUND, `read failed for ${this.location}/${p}: no such file`, { target: `${this.location}/${p}` });
    }
    return createReadStream(this.local(p));
  }

  /** Atomic: write a temp name in the same directory, then rename it over the destination. */
  async put(path: string, data: PutData): Promise<void> {
    const dest = this.local(nonRootTargetPath(path, 'put'));
    const tmp = tempPathFor(dest);
    try {
      await makeDirectory(dirname(dest));
      await pipeline(putDataToStream(data), createWriteStream(tmp, { mode: 0o644 }));
      await rename(tmp, dest);
    } catch (e) {
      await rm(tmp, { force: true });
      throw this.failed('put', dest, e);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    const src = this.local(nonRootTargetPath(from, 'rename'));
    const dest = this.local(nonRootTargetPath(to, 'rename onto'));
    if (!(await stat(src).catch(() => undefined))) {
      throw new OvirtRepoError(ErrorCodes.NOT_FOUND, `rename failed for ${src}: no such file`, { target: src });
    }
    try {
      await makeDirectory(dirname(dest));
      await rename(src, dest);
    } catch (e) {
      throw this.failed('rename', src, e);
    }
  }

  /** Files and whole directories; a missing path is not an error. */
  async remove(path: string): Promise<void> {
    const target = this.local(nonRootTargetPath(path, 'remove'));
    await rm(target, { recursive: true, force: true }).catch((e: unknown) => {
      throw this.failed('remove', target, e);
    });
  }

  /** E_TARGET with the operation, the full location and a hint: what every target error should carry. */
  private failed(operation: string, where: string, cause: unknown): OvirtRepoError {
    return new OvirtRepoError(ErrorCodes.TARGET, `${operation} failed for example://${where}: ${(cause as Error)?.message ?? cause}`, {
      target: `example://${where}`,
      hint: 'Check that the directory exists and is writable by this user.',
      cause,
    });
  }
}
