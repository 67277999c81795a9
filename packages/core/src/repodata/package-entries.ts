import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { EntrySplitter, entryStart } from './entry-splitter.js';
import { readFilelists, readOther, type FilelistsPackage, type OtherPackage } from './filelists-reader.js';
import { metadataChunks, verifyFile } from './metadata-stream.js';
import * as xml from './package-xml.js';
import { readPrimary, type PrimaryPackage } from './primary-reader.js';
import type { CoreRecordType } from './repomd-model.js';
import { escapeAttr } from './xml-escape.js';
import { sourceName, type ReadXmlOptions, type XmlSource } from './xml-source.js';

/**
 * A package given to writeRepodata as its three entries already rendered (`<package ...>...</package>\n`
 * each), written as they are. For entries taken from metadata this writer (or createrepo_c 0.17, which
 * writes the same bytes) produced and whose checksums were verified: re-parsing and re-rendering them
 * costs far more than the rest of making a snapshot, and gives the same text.
 */
export interface RenderedPackage {
  readonly rendered: Readonly<Record<CoreRecordType, string>>;
  /** Its primary location href: needed only when the metadata is written in chunks (see chunk-index.ts). */
  readonly key?: string;
}

export function isRenderedPackage(p: object): p is RenderedPackage {
  return 'rendered' in p;
}

/** The entries of one metadata file: primary by location href, filelists and other by pkgid. */
export type PackageEntries = ReadonlyMap<string, string>;

const HREF = '<location href="';

/**
 * Splits the decompressed text of a primary, filelists or other file into its package entries, keyed by
 * location href (primary) or pkgid (filelists, other). Only the exact layout of package-xml.ts is
 * accepted (see EntrySplitter); anything else (another generator's formatting, a hand-edited file) gives
 * undefined, and the caller parses the file instead. createrepo_c 0.17 writes the same layout, so most
 * upstream repos split too.
 */
export function splitPackageEntries(type: CoreRecordType, text: string): PackageEntries | undefined {
  const list = listPackageEntries(type, text);
  return list && keyPackageEntries(type, list);
}

/** The package entries of a file in the layout splitPackageEntries accepts, in file order. */
export function listPackageEntries(type: CoreRecordType, text: string): string[] | undefined {
  const splitter = new EntrySplitter(type);
  return splitter.write(text) ? splitter.end() : undefined;
}

/** Entries as listPackageEntries or readPackageEntries give them, by key; undefined if one has no key. */
export function keyPackageEntries(type: CoreRecordType, list: readonly string[]): PackageEntries | undefined {
  const entries = new Map<string, string>();
  for (const entry of list) {
    const key = type === 'primary' ? quotedAfter(entry, HREF) : quotedAt(entry, entryStart(type).length);
    if (key === undefined) return undefined;
    entries.set(key, entry);
  }
  return entries;
}

/**
 * listPackageEntries of a metadata file, read as a stream (so within the bounds of metadataChunks, and
 * without one string of the whole document). It stops reading where the file departs from the layout,
 * and then gives undefined only after checking the file whole against `options.expected`: a file that is
 * not what repomd.xml says fails with that mismatch, whatever its layout. Invalid UTF-8 is "another
 * layout" too: the XML readers say what is wrong with it.
 */
export async function readPackageEntries(type: CoreRecordType, source: XmlSource, options: ReadXmlOptions = {}): Promise<string[] | undefined> {
  const name = sourceName(source, options);
  const splitter = new EntrySplitter(type);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const decode = (chunk: Uint8Array | string, stream: boolean): string | undefined => {
    try {
      return typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream });
    } catch {
      return undefined;
    }
  };
  let fits = true;
  for await (const chunk of metadataChunks(source, options, name)) {
    const text = decode(chunk, true);
    if (text === undefined || !splitter.write(text)) {
      fits = false;
      break;
    }
  }
  if (!fits) {
    // Stopped early, so the file was not verified to its end.
    if (typeof source === 'string' && options.expected) await verifyFile(source, options.expected, name, options.maxSize);
    return undefined;
  }
  const rest = decode(new Uint8Array(0), false);
  return rest !== undefined && splitter.write(rest) ? splitter.end() : undefined;
}

/** Parses one primary entry (as listPackageEntries gives it) with the full XML reader. */
export function parsePrimaryEntry(entry: string, name: string): Promise<PrimaryPackage> {
  return single(readPrimary(textSource(xml.primaryHeader(1) + entry + xml.PRIMARY_FOOTER), { name }), name);
}

/** Parses one filelists entry with the full XML reader. */
export function parseFilelistsEntry(entry: string, name: string): Promise<FilelistsPackage> {
  return single(readFilelists(textSource(xml.filelistsHeader(1) + entry + xml.FILELISTS_FOOTER), { name }), name);
}

/** Parses one other entry with the full XML reader. */
export function parseOtherEntry(entry: string, name: string): Promise<OtherPackage> {
  return single(readOther(textSource(xml.otherHeader(1) + entry + xml.OTHER_FOOTER), { name }), name);
}

async function* textSource(text: string): AsyncGenerator<string> {
  yield text;
}

async function single<T>(records: AsyncIterable<T>, name: string): Promise<T> {
  const out: T[] = [];
  for await (const r of records) out.push(r);
  const [first] = out;
  if (out.length !== 1 || first === undefined) {
    throw new OvirtRepoError(ErrorCodes.REPODATA_INVALID, `${name}: expected one package entry, found ${out.length}`, {
      target: name,
      hint: 'the metadata is malformed; regenerate it with createrepo_c',
    });
  }
  return first;
}

/** The key splitPackageEntries files a primary entry under, for a package at `href`. */
export function primaryEntryKey(href: string): string {
  return escapeAttr(href);
}

function quotedAfter(entry: string, marker: string): string | undefined {
  const at = entry.indexOf(marker);
  return at < 0 ? undefined : quotedAt(entry, at + marker.length);
}

function quotedAt(entry: string, from: number): string | undefined {
  const end = entry.indexOf('"', from);
  return end < 0 ? undefined : entry.slice(from, end);
}
