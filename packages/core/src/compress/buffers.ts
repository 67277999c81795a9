import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CompressionKind } from './kinds.js';
import {
  compressStream,
  decompressStream,
  type CodecOptions,
  type CompressOptions,
  type WritableCompressionKind,
} from './streams.js';

/** Whole-buffer compression, for small files (repomd-sized) and tests; stream anything large. */
export async function compressBuffer(
  kind: WritableCompressionKind,
  data: Uint8Array | string,
  options: CompressOptions = {},
): Promise<Buffer> {
  return runThrough(compressStream(kind, options), data);
}

/** Whole-buffer decompression; fails with E_COMPRESSION naming `options.target` on bad data. */
export async function decompressBuffer(
  kind: CompressionKind,
  data: Uint8Array,
  options: CodecOptions = {},
): Promise<Buffer> {
  return runThrough(decompressStream(kind, options), data);
}

async function runThrough(codec: NodeJS.ReadWriteStream, data: Uint8Array | string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  const input = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.length);
  await pipeline(Readable.from([input]), codec, sink);
  return Buffer.concat(chunks);
}
