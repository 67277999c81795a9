export {
  CHECKSUM_TYPES,
  isChecksumType,
  isHexDigest,
  nodeHashAlgorithm,
  parseChecksumType,
  type ChecksumType,
} from './types.js';
export { createHasher, hashBuffer, hashFile, hashStream, type Digest, type DigestWithSize } from './hash.js';
export { HashingStream } from './hashing-stream.js';
export { digestOfPieces, editSortedLines, sortedLinesDigest, sortedLinesText } from './sorted-lines.js';
export { verifyContent, type ExpectedContent } from './verify.js';
export { ByteCounter, type SizeLimit } from './size-limit.js';
export { copyFileVerified } from './copy.js';
export {
  CompressedFileWriter,
  type CompressedFileResult,
  type CompressedWriterOptions,
} from './compressed-writer.js';
