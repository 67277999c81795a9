import type { PackageChecksum, PackageRecord } from '../repodata/model.js';
import { readRpmChangelogs } from './changelog.js';
import { packageControlCharProblem } from './control-chars.js';
import { readRpmDependencies } from './dependencies.js';
import { readRpmFileList } from './files.js';
import type { RpmHeader } from './header.js';
import type { RpmHeaders } from './read-headers.js';
import { rpmInvalid } from './rpm-error.js';
import { RpmSigTag, RpmTag, RpmTagType } from './tags.js';

/** What the record needs besides the headers: facts about the file itself and reader options. */
export interface RpmRecordInput {
  checksum: PackageChecksum;
  /** File mtime, seconds. */
  fileTime: number;
  fileSize: number;
  location: { href: string; base?: string };
  changelogLimit: number;
  legacyPre?: boolean;
}

/**
 * Builds the package record from parsed headers the way createrepo_c does after rpm has loaded the
 * package: rpm merges some signature tags into the main header and retrofits legacy headers first, and
 * createrepo_c reads missing strings as empty and a missing epoch as 0.
 */
export function packageRecordFromHeaders(headers: RpmHeaders, input: RpmRecordInput): PackageRecord {
  const { main } = headers;
  const str = (tag: number): string => main.getString(tag) ?? '';
  const name = required(main, RpmTag.NAME, 'NAME');
  const version = required(main, RpmTag.VERSION, 'VERSION');
  const release = required(main, RpmTag.RELEASE, 'RELEASE');

  const fileList = readRpmFileList(main);
  const source = sourceInfo(main, fileList.dirnames);
  // Headers without an immutable region predate rpm 4 and get rpm's full v3 retrofit.
  const legacyV3 = !main.has(RpmTag.HEADERIMMUTABLE);
  const retrofitProvide = legacyV3 && source.hasSourceRpm ? { name, evr: evrString(main) } : undefined;
  const deps = readRpmDependencies(main, {
    files: new Set(fileList.files.map((f) => f.path)),
    legacyPre: input.legacyPre,
    retrofitProvide,
  });

  const record: PackageRecord = {
    name,
    arch: source.isSource ? 'src' : str(RpmTag.ARCH),
    epoch: String(main.getNumber(RpmTag.EPOCH) ?? 0),
    version,
    release,
    checksum: input.checksum,
    summary: str(RpmTag.SUMMARY),
    description: str(RpmTag.DESCRIPTION),
    packager: str(RpmTag.PACKAGER),
    url: str(RpmTag.URL),
    time: { file: input.fileTime, build: main.getNumber(RpmTag.BUILDTIME) ?? 0 },
    size: { package: input.fileSize, installed: installedSize(main), archive: archiveSize(headers) },
    location: input.location.base === undefined ? { href: input.location.href } : { ...input.location },
    format: {
      license: str(RpmTag.LICENSE),
      vendor: str(RpmTag.VENDOR),
      group: str(RpmTag.GROUP),
      buildhost: str(RpmTag.BUILDHOST),
      sourcerpm: source.sourcerpm,
      headerRange: { ...headers.headerRange },
      ...deps,
    },
    files: fileList.files,
    changelogs: readRpmChangelogs(main, input.changelogLimit),
  };
  const problem = packageControlCharProblem(record);
  if (problem) {
    throw rpmInvalid(headers.path, `forbidden control character in ${problem}; XML metadata cannot carry it`, {
      hint: 'fix the text in the spec file and rebuild the package (createrepo_c leaves such packages out of the metadata)',
      data: { reason: FORBIDDEN_CONTROL_CHARS },
    });
  }
  return record;
}

/** `data.reason` of the error for a valid package whose text XML cannot carry; callers may skip it as createrepo_c does. */
export const FORBIDDEN_CONTROL_CHARS = 'forbidden-control-chars';

function required(h: RpmHeader, tag: number, label: string): string {
  const v = h.getString(tag);
  if (v === undefined) throw rpmInvalid(h.file, `main header has no ${label} tag`);
  return v;
}

/**
 * rpm's applyRetrofits: a header with neither SOURCERPM nor SOURCEPACKAGE is a source package if all its
 * files sit in one directory named "" (then SOURCEPACKAGE=1 is added), else it gets SOURCERPM "(none)".
 * createrepo_c then calls it a source package when SOURCEPACKAGE is non-zero.
 */
function sourceInfo(h: RpmHeader, dirnames: string[] | undefined): { isSource: boolean; sourcerpm: string; hasSourceRpm: boolean } {
  const sourcerpm = h.getString(RpmTag.SOURCERPM);
  if (sourcerpm !== undefined || h.has(RpmTag.SOURCEPACKAGE)) {
    return { isSource: (h.getNumber(RpmTag.SOURCEPACKAGE) ?? 0) !== 0, sourcerpm: sourcerpm ?? '', hasSourceRpm: sourcerpm !== undefined };
  }
  if (dirnames?.length === 1 && dirnames[0] === '') return { isSource: true, sourcerpm: '', hasSourceRpm: false };
  return { isSource: false, sourcerpm: '(none)', hasSourceRpm: true };
}

/** rpm's RPMTAG_EVR: `[epoch:]version-release`, epoch only when the tag exists. */
function evrString(h: RpmHeader): string {
  const epoch = h.getNumber(RpmTag.EPOCH);
  const version = h.getString(RpmTag.VERSION);
  const release = h.getString(RpmTag.RELEASE);
  return `${epoch === undefined ? '' : `${epoch}:`}${version === undefined ? '' : `${version}-`}${release ?? ''}`;
}

/** RPMTAG_LONGSIZE, or the 32-bit SIZE as rpm's longsize extension falls back to it. */
function installedSize(h: RpmHeader): number {
  if (h.has(RpmTag.LONGSIZE)) return h.getNumber(RpmTag.LONGSIZE) ?? 0;
  return h.entry(RpmTag.SIZE)?.type === RpmTagType.INT32 ? (h.getNumber(RpmTag.SIZE) ?? 0) : 0;
}

/**
 * RPMTAG_LONGARCHIVESIZE with fallback to ARCHIVESIZE. Packages from rpm >= 4.14 keep these in the signature
 * header only (LONGARCHIVESIZE 271, PAYLOADSIZE 1007), which rpm merges into the main header when absent
 * there, provided the type is the expected one.
 */
function archiveSize(headers: RpmHeaders): number {
  const { main, signature } = headers;
  if (main.has(RpmTag.LONGARCHIVESIZE)) return main.getNumber(RpmTag.LONGARCHIVESIZE) ?? 0;
  if (signature.entry(RpmSigTag.LONGARCHIVESIZE)?.type === RpmTagType.INT64) {
    return signature.getNumber(RpmSigTag.LONGARCHIVESIZE) ?? 0;
  }
  if (main.has(RpmTag.ARCHIVESIZE)) {
    return main.entry(RpmTag.ARCHIVESIZE)?.type === RpmTagType.INT32 ? (main.getNumber(RpmTag.ARCHIVESIZE) ?? 0) : 0;
  }
  if (signature.entry(RpmSigTag.PAYLOADSIZE)?.type === RpmTagType.INT32) return signature.getNumber(RpmSigTag.PAYLOADSIZE) ?? 0;
  return 0;
}
