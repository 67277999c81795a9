import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import type { SizeLimit } from '../checksum/size-limit.js';
import { ioError } from '../errors/index.js';
import { compressionFromName, type CompressionKind } from './kinds.js';
import { decompressStream } from './streams.js';

export interface OpenDecompressedOptions {
  /** Defaults to what the name's ending says, as dnf does. */
  compression?: CompressionKind;
  /** Name used in errors; defaults to the path. */
  target?: string;
  /** What the contents may decompress to at most (see CodecOptions.limit). */
  limit?: SizeLimit;
}

/**
 * The decompressed contents of a file as a stream. Read failures become E_IO errors naming the path, bad
 * compressed data E_COMPRESSION; either ends the returned stream with that error.
 */
export function openDecompressed(path: string, options: OpenDecompressedOptions = {}): Readable {
  const kind = options.compression ?? compressionFromName(basename(path));
  const target = options.target ?? path;
  const source = createReadStream(path, { highWaterMark: 1 << 16 });
  const codec = decompressStream(kind, { target, ...(options.limit ? { limit: options.limit } : {}) });
  source.on('error', (err) => codec.destroy(ioError('read', path, err)));
  codec.on('close', () => source.destroy());
  source.pipe(codec);
  return codec;
}
