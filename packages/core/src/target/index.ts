export {
  type SyncTarget,
  type TargetEntry,
  type PutData,
  type PutItem,
  type LocalFile,
  type BatchCapable,
  type LocalPathCapable,
  type HardlinkCapable,
  type LockCapable,
  type AtomicLinkCapable,
  type TargetLock,
  isBatchCapable,
  isLocalPathCapable,
  isHardlinkCapable,
  isLockCapable,
  isAtomicLinkCapable,
  isLocalFile,
} from './sync-target.js';
export { normalizeTargetPath, nonRootTargetPath, joinTargetPath, targetDirname, targetBasename, isUnderTargetPath, resolveLinkTarget } from './paths.js';
export { parseTargetLocation, redactLocation, SCP_SCHEME, PATH_SCHEME, type TargetLocation } from './location.js';
export {
  TargetRegistry,
  targetRegistry,
  registerTarget,
  openTarget,
  type TargetFactory,
  type TargetOpenOptions,
  type TargetSchemeInfo,
  type RegisterTargetOptions,
} from './registry.js';
export { putDataToStream, writePutDataToFile, readTargetFile, putAll, removeAll } from './put-data.js';
export { MemoryTarget } from './memory-target.js';
export { checkSyncTarget, type ConformanceReport, type ConformanceCheck, type ConformanceOptions } from './conformance.js';
