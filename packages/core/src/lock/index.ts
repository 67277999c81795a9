export {
  DEFAULT_LOCK_TIMEOUT_MS,
  DEFAULT_STALE_AFTER_MS,
  acquireLock,
  describeOwner,
  heartbeatMsOf,
  inspectLock,
  lockStatus,
  mtimeOf,
  newOwner,
  staleReason,
  tryAcquireLock,
  withLock,
  type Lock,
  type LockOptions,
  type LockOwner,
} from './file-lock.js';
export { thisHost } from './process-info.js';
