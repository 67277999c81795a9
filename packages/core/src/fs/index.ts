export { type WriteFileAtomicOptions, tempPathFor, isTempName, fsyncPath, writeFileAtomic, replaceDirectory, recoverDirectory } from './atomic.js';
export { syncFileSystem, SYNCFS_COMMAND_ENV } from './sync-filesystem.js';
