import { basename } from 'node:path';
import { Readable, Writable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HashingStream, verifyContent, type ExpectedContent } from '../checksum/index.js';
import { limitStream } from '../checksum/size-limit.js';
import { compressionFromName, decompressStream, type CompressionKind } from '../compress/index.js';
import { OvirtRepoError, ioError } from '../errors/index.js';
import { openRegularFile } from '../fs/regular-file.js';
import { DEFAULT_MAX_METADATA_SIZE, fileSizeLimit, openSizeLimit } from './metadata-limits.js';
import type { RepomdRecord } from './repomd-model.js';

/** A metadata file: a path, or its bytes as a stream (a Node Readable or any async iterable). */
export type XmlSource = string | AsyncIterable<Uint8Array | string>;

/** How a metadata file's bytes are read and what they must be. */
export interface MetadataStreamOptions {
  /**
   * How the bytes are compressed. Default: from the name's ending for a path (as dnf); `none` for a
   * stream, which is taken to be decompressed already unless this says otherwise.
   */
  compression?: CompressionKind;
  /**
   * Checksum and/or size of the bytes as given (compressed), from repomd.xml. More bytes than the size
   * fail as soon as they arrive; the rest is checked when the input ends, so a mismatch fails the reading
   * after what was already read: treat it as all-or-nothing.
   */
  expected?: ExpectedContent;
  /** repomd.xml's open-size: decompressing stops just past it (see openSizeLimit). */
  openSize?: number;
  /** The most the file may hold or decompress to, whatever repomd.xml declares. Default DEFAULT_MAX_METADATA_SIZE. */
  maxSize?: number;
}

/** What `record` of repomd.xml says its file must be, as metadataChunks takes it. */
export function recordStreamOptions(record: RepomdRecord, maxSize?: number): MetadataStreamOptions {
  return {
    expected: { checksum: record.checksum, ...(record.size !== undefined ? { size: record.size } : {}) },
    ...(record.openSize !== undefined ? { openSize: record.openSize } : {}),
    ...(maxSize !== undefined ? { maxSize } : {}),
  };
}

/**
 * The decompressed contents of a metadata file, chunk by chunk, within bounds: a path must be a regular
 * file; its bytes may not pass `expected.size` (or `maxSize`), nor what they decompress to the open-size
 * (or `maxSize`); each fails with E_SIZE_MISMATCH as soon as it is passed. After the last chunk the
 * bytes are verified against `expected`. When decompressing a path fails, the file is first verified
 * whole: a file that is not what repomd.xml says is reported as that, the more basic problem.
 *
 * A stream that is neither compressed nor checked (text already in memory) is passed through as it is.
 */
export async function* metadataChunks(source: XmlSource, options: MetadataStreamOptions, name: string): AsyncGenerator<Uint8Array | string> {
  const path = typeof source === 'string' ? source : undefined;
  const kind = options.compression ?? (path !== undefined ? compressionFromName(basename(path)) : 'none');
  if (path === undefined && !options.expected && kind === 'none') {
    yield* source as AsyncIterable<Uint8Array | string>;
    return;
  }
  const max = options.maxSize ?? DEFAULT_MAX_METADATA_SIZE;
  const head = path !== undefined ? await openRaw(path, name) : Readable.from(source as AsyncIterable<Uint8Array | string>, { objectMode: false });
  const hashing = options.expected ? new HashingStream(options.expected.checksum?.type ?? 'sha256') : undefined;
  const stages: [Readable, ...Duplex[]] = [
    head,
    limitStream(fileSizeLimit(name, options.expected?.size, max)),
    ...(hashing ? [hashing] : []),
    decompressStream(kind, { target: name, limit: openSizeLimit(name, options.openSize, max) }),
  ];
  try {
    yield* chain(stages) as AsyncIterable<Buffer>;
  } catch (err) {
    if (path !== undefined && isSystemError(err)) throw ioError('read', path, err);
    if (path !== undefined && options.expected) await verifyFile(path, options.expected, name, max);
    throw err;
  }
  if (hashing && options.expected) verifyContent(name, options.expected, hashing.result());
}

/**
 * Checks a metadata file whole against what repomd.xml says of it (bytes only, no decompressing), within
 * the same bounds; throws the mismatch. For readers that stop early and must still say whether the file
 * was intact.
 */
export async function verifyFile(path: string, expected: ExpectedContent, name: string, maxSize = DEFAULT_MAX_METADATA_SIZE): Promise<void> {
  const hashing = new HashingStream(expected.checksum?.type ?? 'sha256');
  const discard = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  try {
    await pipeline(await openRaw(path, name), limitStream(fileSizeLimit(name, expected.size, maxSize)), hashing, discard);
  } catch (err) {
    throw isSystemError(err) ? ioError('read', path, err) : err;
  }
  verifyContent(name, expected, hashing.result());
}

async function openRaw(path: string, name: string): Promise<Readable> {
  try {
    const fh = await openRegularFile(path, name);
    return fh.createReadStream({ highWaterMark: 1 << 16 });
  } catch (err) {
    throw isSystemError(err) ? ioError('read', path, err) : err;
  }
}

/** `.pipe()` does not forward errors: the last stage fails when any stage does, and closing it closes all. */
function chain(stages: readonly [Readable, ...Duplex[]]): Readable {
  let last: Readable = stages[0];
  for (const stage of stages.slice(1)) last = last.pipe(stage as Duplex);
  for (const s of stages) if (s !== last) s.on('error', (err) => last.destroy(err));
  last.on('close', () => {
    for (const s of stages) s.destroy();
  });
  return last;
}

function isSystemError(err: unknown): boolean {
  return !(err instanceof OvirtRepoError) && typeof (err as NodeJS.ErrnoException | undefined)?.syscall === 'string';
}
