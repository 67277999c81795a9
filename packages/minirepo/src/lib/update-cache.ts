import { access } from 'node:fs/promises';
import { join } from 'node:path';
import {
  keyPackageEntries,
  readRecordEntries,
  readRepo,
  readRepomd,
  summarizePrimaryEntry,
  type ChecksumType,
  type Logger,
  type PackageRecord,
  type RenderedPackage,
} from '@ovirt-repo/core';

/** An existing package entry, with what --update compares to decide whether its file is unchanged. */
export interface CachedEntry {
  checksumType: ChecksumType;
  /** File size and mtime (whole seconds) when the entry was made. */
  size: number;
  fileTime: number;
  /** The entry itself: its text when the metadata could be split by layout, else the parsed record. */
  entry: PackageRecord | RenderedPackage;
}

/** Existing package entries keyed by location href, for --update. */
export type UpdateCache = Map<string, CachedEntry>;

/**
 * The entries of the repo's current metadata. Broken or missing metadata is not an error for --update: it
 * only means every package is read again, which is always correct.
 */
export async function loadUpdateCache(dir: string, log: Logger): Promise<UpdateCache> {
  try {
    await access(join(dir, 'repodata', 'repomd.xml'));
  } catch {
    return new Map();
  }
  try {
    return (await cacheByLayout(dir)) ?? (await cacheByParsing(dir));
  } catch (e) {
    log.warn(`--update: cannot reuse the existing metadata of ${dir} (${(e as Error).message}); reading every package`);
    return new Map();
  }
}

/**
 * Metadata in createrepo_c's (and our) layout is split into entry text, which is written again as it is:
 * no XML parsing and no re-rendering, most of what --update used to cost. The files are checked against
 * repomd.xml first, so only entries a generator wrote are reused verbatim. undefined for another layout.
 */
async function cacheByLayout(dir: string): Promise<UpdateCache | undefined> {
  const repomd = await readRepomd(join(dir, 'repodata', 'repomd.xml'));
  const [list, filelists, other] = await Promise.all((['primary', 'filelists', 'other'] as const).map((type) => readRecordEntries(dir, repomd, type)));
  const files = filelists && keyPackageEntries('filelists', filelists);
  const changelogs = other && keyPackageEntries('other', other);
  if (!list || !files || !changelogs) return undefined;
  const cache: UpdateCache = new Map();
  for (const entry of list) {
    const s = summarizePrimaryEntry(entry);
    const f = s && files.get(s.checksum.value);
    const o = s && changelogs.get(s.checksum.value);
    if (!s || f === undefined || o === undefined) return undefined;
    cache.set(s.location.href, {
      checksumType: s.checksum.type,
      size: s.size.package,
      fileTime: s.time.file,
      entry: { rendered: { primary: entry, filelists: f, other: o } },
    });
  }
  return cache;
}

async function cacheByParsing(dir: string): Promise<UpdateCache> {
  const cache: UpdateCache = new Map();
  // The files' own integrity checks (gzip/xz/zstd CRCs, XML well-formedness) catch damage.
  const repo = await readRepo(dir, { verify: false });
  for await (const pkg of repo.packages()) {
    cache.set(pkg.location.href, { checksumType: pkg.checksum.type, size: pkg.size.package, fileTime: pkg.time.file, entry: pkg });
  }
  return cache;
}
