export { RUN_LOCK_VERSION, type RunLock, type RunLockEntry, type RunLockRepomd } from './format.js';
export { readRunLock, parseRunLock, formatRunLock } from './read.js';
