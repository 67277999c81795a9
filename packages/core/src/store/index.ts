export {
  type Store,
  type StoreObject,
  type StoreStream,
  type StoreEntry,
  type StoreData,
  type StoreLock,
  type StagedWriteCapable,
  type StagedWrite,
  type SymlinkCapable,
  type LocalFilesCapable,
  type DeferredCreateCapable,
  type PreparedObject,
  DEFAULT_READ_MAX_BYTES,
  isStagedWriteCapable,
  isSymlinkCapable,
  isLocalFilesCapable,
  isDeferredCreateCapable,
} from './store.js';
export { storeKey, joinKey, parentKey, baseKey } from './keys.js';
export { checkStore, type StoreConformanceOptions } from './conformance.js';
