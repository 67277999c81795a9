export { type WriteFileAtomicOptions, tempPathFor, isTempName, fsyncPath, writeFileAtomic, replaceDirectory, recoverDirectory } from './atomic.js';
