import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CompressionKind } from './kinds.js';
import { checkHead, compressionError } from './codec-errors.js';
import {
  checkLevel,
  compressStream,
  decompressStream,
  DEFAULT_COMPRESSION_LEVELS,
  type CompressOptions,
  type DecompressOptions,
  type WritableCompressionKind,
} from './streams.js';

/** Whole-buffer compression, for small files (repomd-sized) and tests; stream anything large. */
export async function compressBuffer(
  kind: WritableCompressionKind,
  data: Uint8Array | string,
  options: CompressOptions = {},
): Promise<Buffer> {
  if (kind === 'gz') {
    // One call on zlib's thread pool: several of these (the members of chunked metadata) run in parallel.
    const target = options.target ?? 'output';
    const level = options.level ?? DEFAULT_COMPRESSION_LEVELS.gz;
    checkLevel('gz', level, target);
    try {
      return await gzipAsync(data, { level, chunkSize: 1 << 20 });
    } catch (e) {
      throw compressionError('gz', target, e, 'compress');
    }
  }
  return runThrough(compressStream(kind, options), data);
}

/** Whole-buffer decompression; fails with E_COMPRESSION naming `options.target` on bad data, and as `options.limit` says past it. */
export async function decompressBuffer(
  kind: CompressionKind,
  data: Uint8Array,
  options: DecompressOptions = {},
): Promise<Buffer> {
  if (kind === 'gz') {
    // zlib's one-shot call with large output chunks: several times cheaper for the main thread than a
    // stream of 16 KiB chunks, which matters for the tens of MB of a large repo's metadata.
    const target = options.target ?? 'input';
    const bad = checkHead('gz', target, data.subarray(0, 6));
    if (bad) throw bad;
    const limit = options.limit;
    try {
      return await gunzipAsync(data, { chunkSize: 1 << 20, ...(limit ? { maxOutputLength: limit.max } : {}) });
    } catch (e) {
      if (limit && (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw limit.exceeded(limit.max + 1);
      throw compressionError('gz', target, e);
    }
  }
  return runThrough(decompressStream(kind, options), data);
}

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);

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
