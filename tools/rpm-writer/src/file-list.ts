import { createHash } from 'node:crypto';
import type { CpioEntry } from './cpio.js';
import type { HeaderBuilder } from './header-builder.js';
import { REGULAR_TYPES, type ResolvedFile } from './resolve-spec.js';
import { FileFlag, HASH_SHA256, S_IFDIR, S_IFLNK, S_IFREG, Tag, VerifyFlags } from './tags.js';

export interface FileLayout {
  /** Payload entries in header order; %ghost files have none. */
  cpio: CpioEntry[];
  /** Installed size: what rpmbuild sums into the SIZE tag. */
  totalSize: number;
  /** Writes the file info tags (and SIZE) into a header. */
  putTags(h: HeaderBuilder): void;
}

function modeOf(f: ResolvedFile): number {
  if (f.type === 'dir') return S_IFDIR | f.perms;
  if (f.type === 'symlink') return S_IFLNK | f.perms;
  return S_IFREG | f.perms;
}

/** What the archive holds for the file: contents, the link target for a symlink, nothing otherwise. */
function bodyOf(f: ResolvedFile): Buffer {
  if (REGULAR_TYPES.includes(f.type)) return f.contents;
  if (f.type === 'symlink') return Buffer.from(f.linkTo, 'utf8');
  return Buffer.alloc(0);
}

function flagsOf(f: ResolvedFile, source: boolean): number {
  if (f.type === 'config') return FileFlag.CONFIG;
  if (f.type === 'doc') return FileFlag.DOC;
  if (f.type === 'license') return FileFlag.LICENSE;
  if (f.type === 'ghost') return FileFlag.GHOST;
  if (source && f.path.endsWith('.spec')) return FileFlag.SPECFILE;
  return 0;
}

/** Binary packages store `/usr/bin/` + `hello`; source packages have flat names and an empty dirname. */
function split(path: string, source: boolean): [string, string] {
  if (source) return ['', path];
  const cut = path.lastIndexOf('/') + 1;
  return [path.slice(0, cut), path.slice(cut)];
}

/**
 * Hard-link sets: for each file that is one of several identical plain files, the positions of the set.
 * rpm treats files sharing a (device, inode) pair as hard links of one file.
 */
function hardlinkSets(sorted: readonly ResolvedFile[], dir: string): Map<number, number[]> {
  const byKey = new Map<string, number[]>();
  sorted.forEach((f, i) => {
    if (f.type !== 'file' || f.contents.length === 0 || !f.path.startsWith(`${dir}/`)) return;
    const key = [createHash('sha256').update(f.contents).digest('hex'), f.perms, f.user, f.group, f.mtime].join('\0');
    byKey.set(key, [...(byKey.get(key) ?? []), i]);
  });
  const sets = new Map<number, number[]>();
  for (const set of byKey.values()) if (set.length > 1) for (const i of set) sets.set(i, set);
  return sets;
}

/**
 * The file info tags and the matching payload entries. Files are sorted byte-wise by path,
 * as rpmbuild sorts them, and inode numbers are the 1-based position, so every file is its own, except
 * identical files below `hardlinkDir`: they share the first one's inode, the archive carries them as one
 * run of entries with the contents once, at the last (as rpmbuild writes a hard-link set), and SIZE counts
 * them once.
 */
export function layoutFiles(files: readonly ResolvedFile[], source: boolean, hardlinkDir?: string): FileLayout {
  const sorted = [...files].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  const sets = hardlinkDir === undefined ? new Map<number, number[]>() : hardlinkSets(sorted, hardlinkDir);
  const dirnames: string[] = [];
  const dirIndex = new Map<string, number>();
  const cols = {
    dirindexes: [] as number[],
    basenames: [] as string[],
    sizes: [] as number[],
    modes: [] as number[],
    rdevs: [] as number[],
    mtimes: [] as number[],
    digests: [] as string[],
    linktos: [] as string[],
    flags: [] as number[],
    users: [] as string[],
    groups: [] as string[],
    verify: [] as number[],
    devices: [] as number[],
    inodes: [] as number[],
    langs: [] as string[],
  };
  const cpio: CpioEntry[] = [];
  let totalSize = 0;

  sorted.forEach((f, i) => {
    const [dir, base] = split(f.path, source);
    let di = dirIndex.get(dir);
    if (di === undefined) {
      di = dirnames.push(dir) - 1;
      dirIndex.set(dir, di);
    }
    const ghost = f.type === 'ghost';
    const body = bodyOf(f);
    const regular = REGULAR_TYPES.includes(f.type);
    const mode = modeOf(f);
    cols.dirindexes.push(di);
    cols.basenames.push(base);
    cols.sizes.push(body.length);
    cols.modes.push(mode);
    cols.rdevs.push(0);
    cols.mtimes.push(f.mtime);
    cols.digests.push(regular ? createHash('sha256').update(body).digest('hex') : '');
    cols.linktos.push(f.linkTo);
    cols.flags.push(flagsOf(f, source));
    cols.users.push(f.user);
    cols.groups.push(f.group);
    cols.verify.push(ghost ? VerifyFlags.GHOST : VerifyFlags.ALL);
    // rpmbuild records device 0 for a %ghost (it is not on disk) and 1 for everything else.
    cols.devices.push(ghost ? 0 : 1);
    const set = sets.get(i);
    const ino = (set?.[0] ?? i) + 1;
    const carriesData = set === undefined || set.at(-1) === i;
    cols.inodes.push(ino);
    cols.langs.push('');
    if (carriesData) totalSize += body.length;
    const entry = (path: string, data: Buffer): CpioEntry => ({ name: source ? path : `.${path}`, ino, mode, mtime: f.mtime, data, nlink: set?.length ?? 1 });
    if (set === undefined) {
      if (!ghost) cpio.push(entry(f.path, body));
    } else if (set[0] === i) {
      // rpm unpacks a hard-link set as one run of archive entries, linking each to the first and writing
      // the contents at the last: the whole set goes here, whatever lies between its paths.
      const paths = set.map((j) => sorted[j]?.path ?? '');
      paths.forEach((path, k) => cpio.push(entry(path, k === paths.length - 1 ? body : Buffer.alloc(0))));
    }
  });

  const putTags = (h: HeaderBuilder): void => {
    h.int32(Tag.SIZE, totalSize)
      .int32(Tag.FILESIZES, cols.sizes)
      .int16(Tag.FILEMODES, cols.modes)
      .int16(Tag.FILERDEVS, cols.rdevs)
      .int32(Tag.FILEMTIMES, cols.mtimes)
      .stringArray(Tag.FILEDIGESTS, cols.digests)
      .stringArray(Tag.FILELINKTOS, cols.linktos)
      .int32(Tag.FILEFLAGS, cols.flags)
      .stringArray(Tag.FILEUSERNAME, cols.users)
      .stringArray(Tag.FILEGROUPNAME, cols.groups)
      .int32(Tag.FILEVERIFYFLAGS, cols.verify)
      .int32(Tag.FILEDEVICES, cols.devices)
      .int32(Tag.FILEINODES, cols.inodes)
      .stringArray(Tag.FILELANGS, cols.langs)
      .int32(Tag.DIRINDEXES, cols.dirindexes)
      .stringArray(Tag.BASENAMES, cols.basenames)
      .stringArray(Tag.DIRNAMES, dirnames)
      // Always written, even without files: rpmbuild does, and it is what rpmlib(FileDigests) announces.
      .int32(Tag.FILEDIGESTALGO, HASH_SHA256);
  };
  return { cpio, totalSize, putTags };
}
