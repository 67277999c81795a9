import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { HashingStream, verifyContent, type ExpectedContent } from '../checksum/index.js';
import { compressionFromName, decompressStream, type CompressionKind } from '../compress/index.js';
import { OvirtRepoError, ioError } from '../errors/index.js';
import type { XmlEventReader } from './xml-events.js';

/** A metadata file: a path, or its bytes as a stream (a Node Readable or any async iterable). */
export type XmlSource = string | AsyncIterable<Uint8Array | string>;

export interface ReadXmlOptions {
  /** Name used in errors; defaults to the path's base name, or "<stream>". */
  name?: string;
  /**
   * How the bytes are compressed. Default: from the name's ending for a path (as dnf); `none` for a
   * stream, which is taken to be decompressed already unless this says otherwise.
   */
  compression?: CompressionKind;
  /**
   * Checksum and/or size of the bytes as given (compressed), from repomd.xml. Checked when the input ends;
   * a mismatch fails the iteration after the records already yielded, so treat it as all-or-nothing.
   */
  expected?: ExpectedContent;
  /** Called with the root element's packages="N" (undefined when absent), e.g. for progress reporting. */
  onRoot?: (info: { packages?: number }) => void;
}

/**
 * Feeds `source` into `reader` chunk by chunk and yields what `drain` returns after each chunk, so
 * records leave as soon as they are complete and memory stays bounded by one chunk's worth.
 */
export async function* parseSource<T>(
  source: XmlSource,
  options: ReadXmlOptions,
  reader: XmlEventReader,
  drain: () => T[],
): AsyncGenerator<T> {
  const path = typeof source === 'string' ? source : undefined;
  const name = reader.fileName;
  let raw: Readable | AsyncIterable<Uint8Array | string>;
  if (path !== undefined) {
    raw = createReadStream(path, { highWaterMark: 1 << 16 });
    (raw as Readable).on('error', () => undefined);
  } else {
    raw = source as AsyncIterable<Uint8Array | string>;
  }
  const kind = options.compression ?? (path !== undefined ? compressionFromName(basename(path)) : 'none');
  const hashing = options.expected ? new HashingStream(options.expected.checksum?.type ?? 'sha256') : undefined;
  let input: AsyncIterable<Uint8Array | string> = raw;
  if (hashing || kind !== 'none') {
    const head = raw instanceof Readable ? raw : Readable.from(raw, { objectMode: false });
    let stream: Readable = head;
    if (hashing) stream = stream.pipe(hashing);
    if (kind !== 'none') stream = stream.pipe(decompressStream(kind, { target: name }));
    input = forwardErrors(head, hashing, stream, path);
  }
  try {
    for await (const chunk of input) {
      reader.write(chunk);
      const ready = drain();
      if (ready.length) yield* ready;
    }
  } catch (err) {
    if (path !== undefined && isSystemError(err)) throw ioError('read', path, err);
    throw err;
  }
  reader.close();
  const rest = drain();
  if (rest.length) yield* rest;
  if (hashing && options.expected) verifyContent(name, options.expected, hashing.result());
}

/** `.pipe()` does not forward errors; make the stream being consumed fail when any stage does. */
function forwardErrors(head: Readable, hashing: HashingStream | undefined, last: Readable, path: string | undefined): Readable {
  const fail = (err: unknown) =>
    last.destroy(path !== undefined && isSystemError(err) ? ioError('read', path, err) : (err as Error));
  if (head !== last) head.on('error', fail);
  if (hashing && hashing !== last) hashing.on('error', fail);
  last.on('close', () => head.destroy());
  return last;
}

function isSystemError(err: unknown): boolean {
  return !(err instanceof OvirtRepoError) && typeof (err as NodeJS.ErrnoException | undefined)?.syscall === 'string';
}

export function sourceName(source: XmlSource, options: ReadXmlOptions): string {
  if (options.name) return options.name;
  return typeof source === 'string' ? basename(source) : '<stream>';
}
