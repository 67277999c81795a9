import type { PackageFile } from '../repodata/model.js';
import type { RpmHeader } from './header.js';
import { rpmInvalid } from './rpm-error.js';
import { RpmFileFlag, RpmTag, rpmTagName } from './tags.js';

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;

/**
 * The files createrepo_c lists in primary.xml (and whose self-satisfied requires it drops): `/etc/...`,
 * `/usr/lib/sendmail`, and anything containing `bin/` anywhere (yum matched `/usr/kerberos/bin/`, `/opt/x/sbin/`).
 */
export function isPrimaryFile(path: string): boolean {
  return path.startsWith('/etc/') || path === '/usr/lib/sendmail' || path.includes('bin/');
}

export interface RpmFileList {
  /** In header order. */
  files: PackageFile[];
  /**
   * The directory list after rpm's conversion of legacy (OLDFILENAMES) headers, which rpm's source-package
   * heuristic inspects; undefined when the package has no files.
   */
  dirnames?: string[];
}

/**
 * The package's files from BASENAMES/DIRNAMES/DIRINDEXES, or from OLDFILENAMES in packages older than
 * rpm 4 (rpm converts those on load and the full paths stay the same). Unlike createrepo_c, which silently
 * lists no files when these tags disagree, inconsistent file tags are reported: rpm would refuse to install
 * such a package.
 */
export function readRpmFileList(h: RpmHeader): RpmFileList {
  const basenames = h.getStringArray(RpmTag.BASENAMES);
  let paths: string[];
  let dirnames: string[] | undefined;
  if (basenames) {
    dirnames = h.getStringArray(RpmTag.DIRNAMES) ?? [];
    const indexes = h.getNumbers(RpmTag.DIRINDEXES) ?? [];
    if (indexes.length !== basenames.length) mismatch(h, RpmTag.DIRINDEXES, indexes.length, basenames.length);
    if (dirnames.length < 1 || dirnames.length > basenames.length) {
      throw rpmInvalid(h.file, `main header has ${dirnames.length} DIRNAMES for ${basenames.length} files`);
    }
    paths = new Array<string>(basenames.length);
    for (let i = 0; i < basenames.length; i++) {
      const dir = dirnames[indexes[i]];
      if (dir === undefined) {
        throw rpmInvalid(h.file, `file ${i} (${basenames[i]}) has directory index ${indexes[i]} of ${dirnames.length}`);
      }
      paths[i] = dir + basenames[i];
    }
  } else {
    const old = h.getStringArray(RpmTag.OLDFILENAMES);
    if (!old) return { files: [] };
    paths = old;
    dirnames = legacyDirnames(old);
  }

  const modes = h.getNumbers(RpmTag.FILEMODES);
  const flags = h.getNumbers(RpmTag.FILEFLAGS);
  if (!modes || !flags) {
    throw rpmInvalid(h.file, `main header lists ${paths.length} files but has no ${modes ? 'FILEFLAGS' : 'FILEMODES'}`);
  }
  if (modes.length !== paths.length) mismatch(h, RpmTag.FILEMODES, modes.length, paths.length);
  if (flags.length !== paths.length) mismatch(h, RpmTag.FILEFLAGS, flags.length, paths.length);

  const files = paths.map((path, i): PackageFile => {
    if ((modes[i] & S_IFMT) === S_IFDIR) return { path, type: 'dir' };
    if (flags[i] & RpmFileFlag.GHOST) return { path, type: 'ghost' };
    return { path, type: 'file' };
  });
  return { files, dirnames };
}

/** Directory list rpm's compressFilelist derives from OLDFILENAMES (only its shape matters to the caller). */
function legacyDirnames(old: string[]): string[] {
  if (old.length === 0) return [];
  // Source packages stored bare file names: rpm puts them all in one directory named "".
  if (!old[0].startsWith('/')) return [''];
  const dirs = new Set<string>();
  for (const p of old) dirs.add(p.slice(0, p.lastIndexOf('/') + 1));
  return [...dirs];
}

function mismatch(h: RpmHeader, tag: number, got: number, files: number): never {
  throw rpmInvalid(h.file, `main header tag ${rpmTagName(tag)} has ${got} entries for ${files} files`);
}
