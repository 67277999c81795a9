import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { ioError, isTempName, packageFileNameOf } from '@ovirt-repo/core';

export interface FoundRpm {
  /** Absolute path on disk. */
  path: string;
  /** Path relative to the repo directory with `/` separators: the package's location href. */
  href: string;
}

/**
 * Every *.rpm below `dir` (binary and source), skipping repodata/ and the temp leftovers of killed runs.
 * Symlinked directories are not followed (as createrepo_c), so a link loop cannot hang the job.
 */
export async function findRpms(dir: string): Promise<FoundRpm[]> {
  const found: FoundRpm[] = [];
  const walk = async (current: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch (e) {
      throw ioError('list directory', current, e);
    }
    for (const entry of entries) {
      if (isTempName(entry.name)) continue;
      const full = join(current, entry.name);
      if (entry.isDirectory()) {
        if (current === dir && entry.name === 'repodata') continue;
        await walk(full);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && entry.name.endsWith('.rpm')) {
        const href = relative(dir, full).split(sep).join('/');
        // Core's one rule for file names: what a mini repo lists, mirror sync and publish take too.
        packageFileNameOf(href, full, 'rename the file (or its directory); mirror sync and publish would refuse it too');
        found.push({ path: full, href });
      }
    }
  };
  await walk(dir);
  return sortLikeCreaterepo(found);
}

/** createrepo_c orders packages by file name, then by directory; metadata order must match for byte-equal output. */
export function sortLikeCreaterepo<T extends { href: string }>(items: T[]): T[] {
  const key = (href: string) => {
    const slash = href.lastIndexOf('/');
    return [href.slice(slash + 1), slash < 0 ? '' : href.slice(0, slash)] as const;
  };
  return items.sort((a, b) => {
    const [fa, da] = key(a.href);
    const [fb, db] = key(b.href);
    return cmp(fa, fb) || cmp(da, db);
  });
}

/** Byte-wise, like strcmp on UTF-8, so non-ASCII names sort as createrepo_c sorts them. */
function cmp(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
