import type { PackageRecord } from './model.js';
import { checkPackageNumbers, controlCharError } from './package-check.js';
import * as xml from './package-xml.js';
import { CORE_RECORD_TYPES, type CoreRecordType } from './repomd-model.js';
import { FORBIDDEN_CONTROL_CHARS } from './xml-escape.js';

const DUMPERS: Record<CoreRecordType, (p: PackageRecord) => string> = {
  primary: xml.primaryPackageXml,
  filelists: xml.filelistsPackageXml,
  other: xml.otherPackageXml,
};

/**
 * A package's primary, filelists and other entries, checked: numbers the XML cannot carry and control
 * characters fail here with the package named, before anything of it is written.
 */
export function dumpPackage(p: PackageRecord): Record<CoreRecordType, string> {
  checkPackageNumbers(p);
  const dumped = { primary: DUMPERS.primary(p), filelists: DUMPERS.filelists(p), other: DUMPERS.other(p) };
  if (CORE_RECORD_TYPES.some((type) => FORBIDDEN_CONTROL_CHARS.test(dumped[type]))) throw controlCharError(p);
  return dumped;
}
