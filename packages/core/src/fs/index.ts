export { type WriteFileAtomicOptions, tempPathFor, isTempName, fsyncPath, writeFileAtomic, writeNewFileDurably, replaceDirectory, recoverDirectory } from './atomic.js';
export { syncFileSystem, SYNCFS_COMMAND_ENV } from './sync-filesystem.js';
export { readFullySync } from './read-fully.js';
export { makeDirectory } from './make-directory.js';
export { assertSafeFileName, fileNameProblem, printable } from './file-names.js';
export { type Spooled, type SpoolOptions, spoolStream, removeSpoolLeftovers } from './spool.js';
