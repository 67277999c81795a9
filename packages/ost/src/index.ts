export { injectFiles, type InjectFilesOptions, type InjectFilesResult, type InjectedFile } from './lib/inject.js';
export {
  injectConfigText,
  SKIP_OPTION,
  type InjectTextOptions,
  type InjectTextResult,
  type InjectedSection,
  type InsertedSection,
} from './lib/inject-text.js';
export { noneValueFor } from './lib/proxy.js';
export { loadMirrorMap, type LoadMirrorMapOptions, type LoadedMirrorMap } from './lib/mirror-map/load.js';
export { readMirrorMapDocument, DEFAULT_VARNAME, type MirrorMapDocument } from './lib/mirror-map/shape.js';
export { mergeMirrorMaps, mirrorMapToInsertions, distroOf } from './lib/mirror-map/includes.js';
export { emptyMirrorMap, mirrorMapToObject, type MirrorMap, type Insertion } from './lib/mirror-map/types.js';
export { expandFileArgs, expandGlob, segmentToRegExp, hasGlob } from './lib/glob.js';
export { buildLock, type BuildLockInput, type LockedFile } from './lib/lock/build.js';
export { mirrorMapFromLock, lockEntriesFor } from './lib/lock/apply.js';
export { probeRepomd, repomdUri, type RepomdProbe } from './lib/lock/repomd.js';
export {
  verifyLock,
  FAILING_STATUSES,
  type VerifyLockOptions,
  type VerifyLockResult,
  type VerifiedLockEntry,
  type LockEntryStatus,
} from './lib/lock/verify.js';
