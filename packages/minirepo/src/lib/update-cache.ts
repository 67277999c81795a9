import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { readRepo, type Logger, type PackageRecord } from '@ovirt-repo/core';

/** Existing package entries keyed by location href, for --update. */
export type UpdateCache = Map<string, PackageRecord>;

/**
 * The entries of the repo's current metadata. Broken or missing metadata is not an error for --update: it
 * only means every package is read again, which is always correct.
 */
export async function loadUpdateCache(dir: string, log: Logger): Promise<UpdateCache> {
  const cache: UpdateCache = new Map();
  try {
    await access(join(dir, 'repodata', 'repomd.xml'));
  } catch {
    return cache;
  }
  try {
    // The files' own integrity checks (gzip/xz/zstd CRCs, XML well-formedness) catch damage; hashing them
    // against repomd.xml as well would cost more than re-reading small packages, defeating --update.
    const repo = await readRepo(dir, { verify: false });
    for await (const pkg of repo.packages()) cache.set(pkg.location.href, pkg);
  } catch (e) {
    log.warn(`--update: cannot reuse the existing metadata of ${dir} (${(e as Error).message}); reading every package`);
    cache.clear();
  }
  return cache;
}
