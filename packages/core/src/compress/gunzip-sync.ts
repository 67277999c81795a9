import { gunzipSync } from 'node:zlib';
import { checkHead, compressionError } from './codec-errors.js';

/**
 * gunzip on the calling thread, for many small members (a chunk of metadata each): for those zlib's thread
 * pool costs more in hand-offs than the inflating itself. Fails with E_COMPRESSION naming `target`.
 * `size`: what it is known to decompress to, when known: the output is then one buffer of that size
 * instead of 1 MiB pieces copied together (a saving that shows at tens of megabytes).
 */
export function gunzipBufferSync(data: Uint8Array, target: string, size?: number): Buffer {
  const bad = checkHead('gz', target, data.subarray(0, 6));
  if (bad) throw bad;
  try {
    return gunzipSync(data, { chunkSize: size === undefined ? 1 << 20 : Math.max(64, size + 1) });
  } catch (e) {
    throw compressionError('gz', target, e);
  }
}
