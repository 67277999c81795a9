import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mapLimit } from '../util/map-limit.js';
import { isBatchCapable, isLocalFile, type PutData, type PutItem, type SyncTarget } from './sync-target.js';

/** PutData as a readable stream (a LocalFile is opened, text is UTF-8 encoded). */
export function putDataToStream(data: PutData): Readable {
  if (isLocalFile(data)) return createReadStream(data.localFile);
  if (typeof data === 'string') return Readable.from([Buffer.from(data, 'utf8')]);
  if (data instanceof Uint8Array) return Readable.from([Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
  return data;
}

/**
 * Write PutData into the local file `path` (created or truncated with `mode`), for targets that need the
 * bytes on local disk first (rsync, an uploader that wants the size up front). Returns the bytes written.
 */
export async function writePutDataToFile(data: PutData, path: string, mode = 0o644): Promise<number> {
  let bytes = 0;
  const counter = async function* (source: AsyncIterable<Buffer | string>) {
    for await (const chunk of source) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      bytes += buf.length;
      yield buf;
    }
  };
  await pipeline(putDataToStream(data), counter, createWriteStream(path, { mode }));
  return bytes;
}

/** Read a whole (small) file from a target into memory. */
export async function readTargetFile(target: SyncTarget, path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await target.read(path)) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/**
 * Put many files: one putMany() call when the target is BatchCapable, else `concurrency` put() calls at a
 * time. Each file is atomic; their relative order is not defined.
 */
export async function putAll(target: SyncTarget, items: readonly PutItem[], concurrency = 4): Promise<void> {
  if (items.length === 0) return;
  if (isBatchCapable(target)) return target.putMany(items);
  await mapLimit(items, concurrency, (item) => target.put(item.path, item.data));
}

/** Remove many paths: one removeMany() call when the target is BatchCapable, else remove() one by one. */
export async function removeAll(target: SyncTarget, paths: readonly string[], concurrency = 4): Promise<void> {
  if (paths.length === 0) return;
  if (isBatchCapable(target)) return target.removeMany(paths);
  await mapLimit(paths, concurrency, (path) => target.remove(path));
}
