export {
  COMPRESSION_KINDS,
  COMPRESSION_NAMES,
  compressionFromName,
  compressionSuffix,
  detectCompression,
  parseCompressionKind,
  type CompressionKind,
} from './kinds.js';
export {
  DEFAULT_COMPRESSION_LEVELS,
  compressStream,
  decompressStream,
  type CodecOptions,
  type CompressOptions,
  type DecompressOptions,
  type WritableCompressionKind,
} from './streams.js';
export { compressBuffer, decompressBuffer } from './buffers.js';
export { gunzipBufferSync } from './gunzip-sync.js';
export { openDecompressed, type OpenDecompressedOptions } from './files.js';
