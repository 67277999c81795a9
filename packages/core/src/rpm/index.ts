export { readRpmPackage, DEFAULT_CHANGELOG_LIMIT, type ReadRpmPackageOptions } from './read-package.js';
export { readRpmHeaders, RPM_LEAD_SIZE, type RpmHeaders, type RpmLead } from './read-headers.js';
export { RpmHeader, RPM_HEADER_LIMITS, type HeaderEntry, type HeaderKind } from './header.js';
export { FORBIDDEN_CONTROL_CHARS, packageRecordFromHeaders, type RpmRecordInput } from './package-record.js';
export { RpmTag, RpmSigTag, RpmTagType, RpmSense, RpmFileFlag, rpmTagName, type RpmTagTypeValue } from './tags.js';
export {
  readRpmDependencies,
  readRawRpmDependencies,
  rpmSenseToFlag,
  parseDependencyEvr,
  compareLibcDependency,
  type RpmDependencies,
  type RpmDependencyOptions,
  type RawRpmDependency,
} from './dependencies.js';
export { readRpmFileList, type RpmFileList } from './files.js';
export { readRpmChangelogs } from './changelog.js';
export { rpmvercmp } from './rpmvercmp.js';
export { compareEvr, formatEvr, type Evr } from './evr.js';
export { packageControlCharProblem } from './control-chars.js';
export { renderRpms, renderRpm, type RenderRpmJob, type RenderRpmOptions, type RenderRpmsOptions, type RenderedRpm, type RenderRpmsResult } from './render-rpms.js';
