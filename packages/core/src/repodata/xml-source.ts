import { basename } from 'node:path';
import { metadataChunks, type MetadataStreamOptions, type XmlSource } from './metadata-stream.js';
import type { XmlEventReader } from './xml-events.js';

export type { XmlSource } from './metadata-stream.js';

export interface ReadXmlOptions extends MetadataStreamOptions {
  /** Name used in errors; defaults to the path's base name, or "<stream>". */
  name?: string;
  /** Called with the root element's packages="N" (undefined when absent), e.g. for progress reporting. */
  onRoot?: (info: { packages?: number }) => void;
}

/**
 * Feeds `source` into `reader` chunk by chunk and yields what `drain` returns after each chunk, so
 * records leave as soon as they are complete and memory stays bounded by one chunk's worth. What is read,
 * and within which bounds, is metadataChunks'.
 */
export async function* parseSource<T>(
  source: XmlSource,
  options: ReadXmlOptions,
  reader: XmlEventReader,
  drain: () => T[],
): AsyncGenerator<T> {
  for await (const chunk of metadataChunks(source, options, reader.fileName)) {
    reader.write(chunk);
    const ready = drain();
    if (ready.length) yield* ready;
  }
  reader.close();
  const rest = drain();
  if (rest.length) yield* rest;
}

export function sourceName(source: XmlSource, options: ReadXmlOptions): string {
  if (options.name) return options.name;
  return typeof source === 'string' ? basename(source) : '<stream>';
}
