import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { readFilelists, readOther, type FilelistsPackage, type OtherPackage } from './filelists-reader.js';
import * as xml from './package-xml.js';
import { readPrimary, type PrimaryPackage } from './primary-reader.js';
import type { CoreRecordType } from './repomd-model.js';
import { escapeAttr } from './xml-escape.js';

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

const LAYOUT: Record<CoreRecordType, { header: (n: number) => string; footer: string; start: string }> = {
  primary: { header: xml.primaryHeader, footer: xml.PRIMARY_FOOTER, start: '<package type="rpm">\n' },
  filelists: { header: xml.filelistsHeader, footer: xml.FILELISTS_FOOTER, start: '<package pkgid="' },
  other: { header: xml.otherHeader, footer: xml.OTHER_FOOTER, start: '<package pkgid="' },
};
const END = '</package>\n';
const HREF = '<location href="';

/**
 * Splits the decompressed text of a primary, filelists or other file into its package entries, keyed by
 * location href (primary) or pkgid (filelists, other). Only the exact layout of package-xml.ts is
 * accepted: its header with the right packages="N", N entries, its footer. Anything else (another
 * generator's formatting, a hand-edited file) gives undefined, and the caller parses the file instead.
 * Text and attribute values are escaped in that layout, so `</package>` can only be an end tag.
 * createrepo_c 0.17 writes the same layout, so most upstream repos split too.
 */
export function splitPackageEntries(type: CoreRecordType, text: string): PackageEntries | undefined {
  const list = listPackageEntries(type, text);
  if (!list) return undefined;
  const entries = new Map<string, string>();
  for (const entry of list) {
    const key = type === 'primary' ? quotedAfter(entry, HREF) : quotedAt(entry, LAYOUT[type].start.length);
    if (key === undefined) return undefined;
    entries.set(key, entry);
  }
  return entries;
}

/** The package entries of a file in the layout splitPackageEntries accepts, in file order. */
export function listPackageEntries(type: CoreRecordType, text: string): string[] | undefined {
  const layout = LAYOUT[type];
  const count = /^<\?xml[^>]*\?>\n<[a-z]+ [^>]*packages="(\d+)">\n/.exec(text.slice(0, 512));
  if (!count) return undefined;
  const n = Number(count[1]);
  const header = layout.header(n);
  if (!text.startsWith(header) || !text.endsWith(layout.footer)) return undefined;
  const entries: string[] = [];
  let pos = header.length;
  for (let i = 0; i < n; i++) {
    if (!text.startsWith(layout.start, pos)) return undefined;
    const end = text.indexOf(END, pos);
    if (end < 0) return undefined;
    entries.push(text.slice(pos, end + END.length));
    pos = end + END.length;
  }
  return pos === text.length - layout.footer.length ? entries : undefined;
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
