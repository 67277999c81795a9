import type { Dirent, Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { ErrorCodes, ioError, isTempName, OvirtRepoError, packageFileNameOf, silentLogger, type Logger } from '@ovirt-repo/core';

export interface FoundRpm {
  /** Absolute path on disk. */
  path: string;
  /** Path relative to the repo directory with `/` separators: the package's location href. */
  href: string;
}

const SLASH = Buffer.from('/');
const RPM = Buffer.from('.rpm');

/**
 * Every *.rpm below `dir` (binary and source), skipping repodata/ and the temp leftovers of killed runs.
 * As createrepo_c: symlinked directories are followed (`exported-artifacts/el9 -> ../build/el9`) and a
 * symlink to nothing is skipped (with a warning here). Unlike createrepo_c, which follows a link loop until
 * paths grow too long, each directory is walked once, under its own path when one leads there without a
 * symlink, else under the first link to it. A package whose path is not UTF-8 is refused: XML metadata
 * cannot name it (createrepo_c writes a mangled href that dnf cannot fetch).
 */
export async function findRpms(dir: string, log: Logger = silentLogger): Promise<FoundRpm[]> {
  const found: FoundRpm[] = [];
  const walked = new Set<string>();
  const linked: Array<{ path: Buffer; href: Buffer }> = [];
  const root = Buffer.from(dir);

  // Names are read as bytes: a name that is not UTF-8 must not be turned into another (missing) file.
  const walk = async (current: Buffer, href: Buffer, st: Stats): Promise<void> => {
    const key = `${st.dev}:${st.ino}`;
    if (walked.has(key)) return;
    walked.add(key);
    let entries: Array<Dirent<Buffer>>;
    try {
      entries = await readdir(current, { withFileTypes: true, encoding: 'buffer' });
    } catch (e) {
      throw ioError('list directory', display(current), e);
    }
    entries.sort((a, b) => Buffer.compare(a.name, b.name));
    for (const entry of entries) {
      const name = entry.name;
      if (isTempName(name.toString('latin1'))) continue;
      if (href.length === 0 && name.equals(REPODATA)) continue;
      const path = Buffer.concat([current, SLASH, name]);
      const rel = href.length === 0 ? name : Buffer.concat([href, SLASH, name]);
      if (entry.isDirectory()) {
        await walk(path, rel, await statOf(path));
        continue;
      }
      const isRpm = name.length > RPM.length && name.subarray(-RPM.length).equals(RPM);
      if (entry.isSymbolicLink()) {
        const target = await stat(path).catch(() => undefined);
        if (target?.isDirectory()) linked.push({ path, href: rel });
        else if (isRpm && !target) log.warn(`${display(path)} is a symlink to nothing: skipped, as createrepo_c skips it`);
        else if (isRpm && target?.isFile()) found.push(foundRpm(path, rel));
      } else if (isRpm && entry.isFile()) {
        found.push(foundRpm(path, rel));
      }
    }
  };
  await walk(root, Buffer.alloc(0), await statOf(root));
  // Linked directories after every directory reachable without links, so those keep their own paths.
  for (let next = linked.shift(); next; next = linked.shift()) {
    const st = await stat(next.path).catch(() => undefined);
    if (st?.isDirectory()) await walk(next.path, next.href, st);
  }
  return sortLikeCreaterepo(found);
}

const REPODATA = Buffer.from('repodata');

function foundRpm(path: Buffer, href: Buffer): FoundRpm {
  if (!isUtf8(href)) {
    throw new OvirtRepoError(ErrorCodes.UNSAFE_PATH, `${display(path)}: the package's path is not valid UTF-8, so repository metadata cannot name it`, {
      target: display(path),
      hint: 'rename the file (and its directories) to UTF-8, e.g. the name-version-release.arch.rpm rpmbuild gives it; createrepo_c would write an href that dnf cannot fetch',
    });
  }
  const found = { path: path.toString('utf8'), href: href.toString('utf8') };
  // Core's one rule for file names: what a mini repo lists, mirror sync and publish take too.
  packageFileNameOf(found.href, found.path, 'rename the file (or its directory); mirror sync and publish would refuse it too');
  return found;
}

async function statOf(path: Buffer): Promise<Stats> {
  try {
    return await stat(path);
  } catch (e) {
    throw ioError('stat', display(path), e);
  }
}

/** A path for messages: UTF-8 as it is, any other byte as `\xHH`. */
function display(path: Buffer): string {
  if (isUtf8(path)) return path.toString('utf8');
  let out = '';
  for (let i = 0; i < path.length; ) {
    const lead = path[i] ?? 0;
    const length = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 ? 2 : 0;
    const seq = path.subarray(i, i + length);
    if (length > 0 && seq.length === length && isUtf8(seq)) {
      out += seq.toString('utf8');
      i += length;
    } else {
      out += `\\x${lead.toString(16).toUpperCase().padStart(2, '0')}`;
      i += 1;
    }
  }
  return out;
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
