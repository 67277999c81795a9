/**
 * Numbers from rpm's rpmtag.h / rpmds.h / rpmfiles.h. They are part of the on-disk format, so they never
 * change; only the subset the reader needs is listed.
 */

/** Header entry data types. */
export const RpmTagType = {
  NULL: 0,
  CHAR: 1,
  INT8: 2,
  INT16: 3,
  INT32: 4,
  INT64: 5,
  STRING: 6,
  BIN: 7,
  STRING_ARRAY: 8,
  I18NSTRING: 9,
} as const;

export type RpmTagTypeValue = (typeof RpmTagType)[keyof typeof RpmTagType];

/** Tags of the main header. */
export const RpmTag = {
  HEADERIMAGE: 61,
  HEADERSIGNATURES: 62,
  HEADERIMMUTABLE: 63,
  HEADERI18NTABLE: 100,
  /** Signature tags as rpm merges them into the main header (RPMTAG_SIG_BASE + n). */
  LONGARCHIVESIZE: 271,
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SUMMARY: 1004,
  DESCRIPTION: 1005,
  BUILDTIME: 1006,
  BUILDHOST: 1007,
  SIZE: 1009,
  VENDOR: 1011,
  LICENSE: 1014,
  PACKAGER: 1015,
  GROUP: 1016,
  URL: 1020,
  OS: 1021,
  ARCH: 1022,
  OLDFILENAMES: 1027,
  FILESIZES: 1028,
  FILEMODES: 1030,
  FILEDIGESTS: 1035,
  FILELINKTOS: 1036,
  FILEFLAGS: 1037,
  SOURCERPM: 1044,
  ARCHIVESIZE: 1046,
  PROVIDENAME: 1047,
  REQUIREFLAGS: 1048,
  REQUIRENAME: 1049,
  REQUIREVERSION: 1050,
  CONFLICTFLAGS: 1053,
  CONFLICTNAME: 1054,
  CONFLICTVERSION: 1055,
  CHANGELOGTIME: 1080,
  CHANGELOGNAME: 1081,
  CHANGELOGTEXT: 1082,
  OBSOLETENAME: 1090,
  SOURCEPACKAGE: 1106,
  PROVIDEFLAGS: 1112,
  PROVIDEVERSION: 1113,
  OBSOLETEFLAGS: 1114,
  OBSOLETEVERSION: 1115,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  OLDSUGGESTSNAME: 1156,
  OLDSUGGESTSVERSION: 1157,
  OLDSUGGESTSFLAGS: 1158,
  OLDENHANCESNAME: 1159,
  OLDENHANCESVERSION: 1160,
  OLDENHANCESFLAGS: 1161,
  LONGSIZE: 5009,
  FILEDIGESTALGO: 5011,
  RECOMMENDNAME: 5046,
  RECOMMENDVERSION: 5047,
  RECOMMENDFLAGS: 5048,
  SUGGESTNAME: 5049,
  SUGGESTVERSION: 5050,
  SUGGESTFLAGS: 5051,
  SUPPLEMENTNAME: 5052,
  SUPPLEMENTVERSION: 5053,
  SUPPLEMENTFLAGS: 5054,
  ENHANCENAME: 5055,
  ENHANCEVERSION: 5056,
  ENHANCEFLAGS: 5057,
} as const;

/** Tags of the signature header (they reuse main-header numbers with other meanings). */
export const RpmSigTag = {
  HEADERSIGNATURES: 62,
  SIZE: 1000,
  PAYLOADSIZE: 1007,
  SHA1: 269,
  LONGSIZE: 270,
  LONGARCHIVESIZE: 271,
  SHA256: 273,
} as const;

/** Dependency flag bits (rpmsenseFlags). */
export const RpmSense = {
  LESS: 1 << 1,
  GREATER: 1 << 2,
  EQUAL: 1 << 3,
  POSTTRANS: 1 << 5,
  PREREQ: 1 << 6,
  PRETRANS: 1 << 7,
  SCRIPT_PRE: 1 << 9,
  SCRIPT_POST: 1 << 10,
  MISSINGOK: 1 << 19,
  /** Old-style suggests/enhances marked "strong" became recommends/supplements. */
  STRONG: 1 << 27,
} as const;

/** File flag bits (rpmfileAttrs). */
export const RpmFileFlag = {
  CONFIG: 1 << 0,
  DOC: 1 << 1,
  GHOST: 1 << 6,
} as const;

/** Human-readable tag names for error messages. */
export function rpmTagName(tag: number, signature = false): string {
  const table: Record<string, number> = signature ? RpmSigTag : RpmTag;
  for (const [name, value] of Object.entries(table)) {
    if (value === tag) return `${tag} (${name})`;
  }
  return String(tag);
}
