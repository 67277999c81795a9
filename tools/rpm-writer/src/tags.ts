/** Header data types (rpm's rpmTagType). */
export const TagType = {
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
export type TagTypeValue = (typeof TagType)[keyof typeof TagType];

/** Region tags: the first index entry of a header, pointing at a trailer that marks the signed region. */
export const RegionTag = {
  SIGNATURES: 62,
  IMMUTABLE: 63,
} as const;

/** Signature header tags (numbers from rpm's include/rpm/rpmtag.h and lib/signature.h). */
export const SigTag = {
  SHA1HEADER: 269,
  SHA256HEADER: 273,
  SIZE: 1000,
  MD5: 1004,
  PAYLOADSIZE: 1007,
  RESERVEDSPACE: 1008,
} as const;

/** Main header tags. */
export const Tag = {
  I18NTABLE: 100,
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
  FILESIZES: 1028,
  FILEMODES: 1030,
  FILERDEVS: 1033,
  FILEMTIMES: 1034,
  FILEDIGESTS: 1035,
  FILELINKTOS: 1036,
  FILEFLAGS: 1037,
  FILEUSERNAME: 1039,
  FILEGROUPNAME: 1040,
  SOURCERPM: 1044,
  FILEVERIFYFLAGS: 1045,
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
  FILEDEVICES: 1095,
  FILEINODES: 1096,
  FILELANGS: 1097,
  SOURCEPACKAGE: 1106,
  PROVIDEFLAGS: 1112,
  PROVIDEVERSION: 1113,
  OBSOLETEFLAGS: 1114,
  OBSOLETEVERSION: 1115,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  PAYLOADFORMAT: 1124,
  PAYLOADCOMPRESSOR: 1125,
  PAYLOADFLAGS: 1126,
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
  ENCODING: 5062,
  PAYLOADDIGEST: 5092,
  PAYLOADDIGESTALGO: 5093,
  PAYLOADDIGESTALT: 5097,
} as const;

/** rpmsenseFlags bits used here. */
export const Sense = {
  LESS: 1 << 1,
  GREATER: 1 << 2,
  EQUAL: 1 << 3,
  SCRIPT_PRE: 1 << 9,
  RPMLIB: 1 << 24,
  CONFIG: 1 << 28,
} as const;

/** rpmfileAttrs bits used here. */
export const FileFlag = {
  CONFIG: 1 << 0,
  DOC: 1 << 1,
  SPECFILE: 1 << 5,
  GHOST: 1 << 6,
  LICENSE: 1 << 7,
} as const;

/** rpmVerifyAttrs: all checks on, and what rpmbuild turns off for %ghost (digest, size, link target, mtime). */
export const VerifyFlags = {
  ALL: 0xffffffff,
  GHOST: (0xffffffff & ~(1 | 2 | 4 | 32)) >>> 0,
} as const;

/** PGPHASHALGO_SHA256, the value of FILEDIGESTALGO and PAYLOADDIGESTALGO. */
export const HASH_SHA256 = 8;

export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;
