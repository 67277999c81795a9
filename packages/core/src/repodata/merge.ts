import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import type { PackageRecord } from './model.js';
import type { FilelistsPackage, OtherPackage, PackageIdentity } from './filelists-reader.js';
import type { PrimaryPackage } from './primary-reader.js';

export interface MergeOptions {
  /** File names for messages. */
  names?: { primary?: string; filelists?: string; other?: string };
}

/**
 * Joins the three streams into full PackageRecords by pkgid. createrepo_c writes the three files in the same
 * order, so normally each step reads one entry from each stream and nothing accumulates; entries that arrive
 * out of order wait in a map until their primary entry comes (memory then grows with the disorder only).
 * Without filelists, a package keeps primary's subset of files; without other, it has no changelogs.
 * A package missing from filelists/other, or an entry with no package in primary, is E_REPODATA_INVALID.
 */
export async function* mergePackages(
  primary: AsyncIterable<PrimaryPackage>,
  filelists?: AsyncIterable<FilelistsPackage>,
  other?: AsyncIterable<OtherPackage>,
  options: MergeOptions = {},
): AsyncGenerator<PackageRecord> {
  const names = {
    primary: options.names?.primary ?? 'primary.xml',
    filelists: options.names?.filelists ?? 'filelists.xml',
    other: options.names?.other ?? 'other.xml',
  };
  const files = filelists ? new Matcher(filelists, names.filelists, names.primary) : undefined;
  const changes = other ? new Matcher(other, names.other, names.primary) : undefined;
  try {
    for await (const p of primary) {
      const [f, o] = await Promise.all([files?.take(p), changes?.take(p)]);
      yield { ...p, files: f ? f.files : p.files, changelogs: o ? o.changelogs : [] };
    }
    await files?.finish();
    await changes?.finish();
  } finally {
    await files?.close();
    await changes?.close();
  }
}

class Matcher<T extends PackageIdentity> {
  private readonly iterator: AsyncIterator<T>;
  private readonly waiting = new Map<string, T[]>();

  constructor(
    source: AsyncIterable<T>,
    private readonly name: string,
    private readonly primaryName: string,
  ) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  async take(p: PrimaryPackage): Promise<T> {
    const pkgid = p.checksum.value;
    const queue = this.waiting.get(pkgid);
    const queued = queue?.shift();
    if (queued) {
      if (queue?.length === 0) this.waiting.delete(pkgid);
      return this.check(queued, p);
    }
    for (;;) {
      const next = await this.iterator.next();
      if (next.done) {
        throw new OvirtRepoError(
          ErrorCodes.REPODATA_INVALID,
          `${this.name} has no entry for ${p.name}-${p.version}-${p.release}.${p.arch} (pkgid ${pkgid}) listed in ${this.primaryName}`,
          { target: this.name, hint: 'the metadata files do not belong together; regenerate the repository metadata' },
        );
      }
      if (next.value.pkgid === pkgid) return this.check(next.value, p);
      const list = this.waiting.get(next.value.pkgid);
      if (list) list.push(next.value);
      else this.waiting.set(next.value.pkgid, [next.value]);
    }
  }

  async finish(): Promise<void> {
    const leftover = this.waiting.values().next().value?.[0] ?? (await this.iterator.next()).value;
    if (leftover) {
      throw new OvirtRepoError(
        ErrorCodes.REPODATA_INVALID,
        `${this.name} lists ${leftover.name} (pkgid ${leftover.pkgid}), which ${this.primaryName} does not have`,
        { target: this.name, hint: 'the metadata files do not belong together; regenerate the repository metadata' },
      );
    }
  }

  async close(): Promise<void> {
    await this.iterator.return?.();
  }

  private check(entry: T, p: PrimaryPackage): T {
    if (entry.name !== p.name || entry.arch !== p.arch || entry.version !== p.version || entry.release !== p.release) {
      throw new OvirtRepoError(
        ErrorCodes.REPODATA_INVALID,
        `${this.name} describes pkgid ${entry.pkgid} as ${entry.name}-${entry.version}-${entry.release}.${entry.arch}, ` +
          `but ${this.primaryName} as ${p.name}-${p.version}-${p.release}.${p.arch}`,
        { target: this.name, hint: 'the metadata files do not belong together; regenerate the repository metadata' },
      );
    }
    return entry;
  }
}
