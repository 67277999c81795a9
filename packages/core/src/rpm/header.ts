import { rpmInvalid } from './rpm-error.js';
import { RpmTag, RpmTagType, rpmTagName } from './tags.js';
import { decodeHeaderString } from './text.js';

/** `8E AD E8` + header version 1; the four reserved bytes after it are not checked. */
const HEADER_MAGIC = 0x8eade801;
export const HEADER_INTRO_SIZE = 16;
const ENTRY_SIZE = 16;

/** rpm's own sanity limits (lib/header.c): they keep a garbled count from allocating gigabytes. */
export const RPM_HEADER_LIMITS = {
  signature: { maxEntries: 32, maxData: 64 * 1024 * 1024 },
  main: { maxEntries: 0xffff, maxData: 0x0fffffff },
} as const;
const MAX_ARRAY_COUNT = 0x000fffff;

export type HeaderKind = 'signature' | 'main';

export interface HeaderEntry {
  tag: number;
  type: number;
  /** Offset of the entry's data inside the data store. */
  offset: number;
  count: number;
}

const FIXED_SIZE: Record<number, number> = {
  [RpmTagType.CHAR]: 1,
  [RpmTagType.INT8]: 1,
  [RpmTagType.INT16]: 2,
  [RpmTagType.INT32]: 4,
  [RpmTagType.INT64]: 8,
  [RpmTagType.BIN]: 1,
};
const STRING_TYPES: ReadonlySet<number> = new Set([RpmTagType.STRING, RpmTagType.STRING_ARRAY, RpmTagType.I18NSTRING]);
const TYPE_NAMES = ['NULL', 'CHAR', 'INT8', 'INT16', 'INT32', 'INT64', 'STRING', 'BIN', 'STRING_ARRAY', 'I18NSTRING'];

/** Reads the 16-byte header intro (magic, reserved, il, dl) and applies rpm's limits. */
export function parseHeaderIntro(
  buf: Buffer,
  at: number,
  fileOffset: number,
  kind: HeaderKind,
  file: string,
): { il: number; dl: number } {
  const magic = buf.readUInt32BE(at);
  if (magic !== HEADER_MAGIC) {
    throw rpmInvalid(file, `bad ${kind} header magic 0x${magic.toString(16).padStart(8, '0')} at offset ${fileOffset}`);
  }
  const il = buf.readUInt32BE(at + 8);
  const dl = buf.readUInt32BE(at + 12);
  const limits = RPM_HEADER_LIMITS[kind];
  if (il < 1) throw rpmInvalid(file, `${kind} header has no entries`);
  if (il > limits.maxEntries) {
    throw rpmInvalid(file, `${kind} header has ${il} entries (at most ${limits.maxEntries} allowed)`);
  }
  if (dl > limits.maxData) {
    throw rpmInvalid(file, `${kind} header has ${dl} data bytes (at most ${limits.maxData} allowed)`);
  }
  return { il, dl };
}

/** Bytes a header occupies on disk: intro + index + data (without the signature's padding). */
export function headerSize(il: number, dl: number): number {
  return HEADER_INTRO_SIZE + il * ENTRY_SIZE + dl;
}

/**
 * One parsed header (signature or main) with typed, validated access to its tags. Every entry is checked
 * on construction the way rpm's hdrblobVerifyInfo does, so accessors never read outside the data store.
 * Values are decoded on access only: most packages have thousands of entries nobody asks for.
 */
export class RpmHeader {
  private readonly entries = new Map<number, HeaderEntry>();
  private readonly data: Buffer;

  /** `raw` is the header as on disk: the intro, `il` index entries, then `dl` data bytes (extra bytes ignored). */
  constructor(
    readonly kind: HeaderKind,
    private readonly raw: Buffer,
    readonly il: number,
    readonly dl: number,
    readonly file: string,
  ) {
    const dataStart = HEADER_INTRO_SIZE + il * ENTRY_SIZE;
    if (raw.length < dataStart + dl) throw rpmInvalid(file, `${kind} header buffer is shorter than its il/dl`);
    this.data = raw.subarray(dataStart, dataStart + dl);
    let dataEnd = 0;
    for (let i = 0; i < il; i++) {
      const at = HEADER_INTRO_SIZE + i * ENTRY_SIZE;
      const entry: HeaderEntry = {
        tag: raw.readUInt32BE(at),
        type: raw.readUInt32BE(at + 4),
        offset: raw.readInt32BE(at + 8),
        count: raw.readUInt32BE(at + 12),
      };
      // Like rpm, require data in index order without overlap (the leading region entry points at the
      // trailer at the end): this also bounds the string scans below by the data size.
      const isRegion = i === 0 && entry.tag >= RpmTag.HEADERIMAGE && entry.tag <= RpmTag.HEADERIMMUTABLE;
      const end = this.verifyEntry(entry, i, isRegion ? 0 : dataEnd);
      if (!isRegion) dataEnd = end;
      // rpm looks tags up by binary search over sorted entries; with duplicates the first one is as good as any.
      if (!this.entries.has(entry.tag)) this.entries.set(entry.tag, entry);
    }
  }

  /** Checks one entry as rpm's hdrblobVerifyInfo does; returns the end offset of its data. */
  private verifyEntry(e: HeaderEntry, i: number, previousEnd: number): number {
    const bad = (problem: string): never => {
      throw rpmInvalid(
        this.file,
        `${this.kind} header entry ${i} (tag ${rpmTagName(e.tag, this.kind === 'signature')}, type ${e.type}, ` +
          `offset ${e.offset}, count ${e.count}): ${problem}`,
      );
    };
    if (e.type < RpmTagType.CHAR || e.type > RpmTagType.I18NSTRING) bad('unknown data type');
    if (e.count < 1 || e.count > this.dl) bad(`count outside 1..${this.dl}`);
    if (e.type !== RpmTagType.BIN && e.count > MAX_ARRAY_COUNT) bad('too many array elements');
    if (e.offset < 0 || e.offset > this.dl) bad(`data offset outside the ${this.dl}-byte data store`);
    if (e.offset < previousEnd) bad(`data overlaps the previous entry's (which ends at ${previousEnd})`);
    const size = FIXED_SIZE[e.type];
    if (size !== undefined) {
      if (e.offset % size !== 0) bad('misaligned data offset');
      if (e.offset + e.count * size > this.dl) bad(`data runs past the end of the ${this.dl}-byte data store`);
      return e.offset + e.count * size;
    }
    if (e.type === RpmTagType.STRING && e.count !== 1) bad('a STRING entry must have count 1');
    let pos = e.offset;
    for (let n = 0; n < e.count; n++) {
      const nul = this.data.indexOf(0, pos);
      if (nul < 0) bad('string data is not NUL-terminated inside the data store');
      pos = nul + 1;
    }
    return pos;
  }

  /** Tags present, in index order of first appearance. */
  tags(): number[] {
    return [...this.entries.keys()];
  }

  has(tag: number): boolean {
    return this.entries.has(tag);
  }

  entry(tag: number): HeaderEntry | undefined {
    return this.entries.get(tag);
  }

  /** First string of a STRING, STRING_ARRAY or I18NSTRING tag (I18N element 0 is the untranslated "C" text). */
  getString(tag: number): string | undefined {
    const e = this.entries.get(tag);
    if (!e) return undefined;
    this.expectString(e);
    const end = this.data.indexOf(0, e.offset);
    return decodeHeaderString(this.data, e.offset, end);
  }

  /** All strings of a string-class tag. */
  getStringArray(tag: number): string[] | undefined {
    const e = this.entries.get(tag);
    if (!e) return undefined;
    this.expectString(e);
    const out = new Array<string>(e.count);
    let pos = e.offset;
    for (let n = 0; n < e.count; n++) {
      const nul = this.data.indexOf(0, pos);
      out[n] = decodeHeaderString(this.data, pos, nul);
      pos = nul + 1;
    }
    return out;
  }

  /** All values of an integer tag, unsigned as rpm reads them. INT64 values above 2^53 lose precision. */
  getNumbers(tag: number): number[] | undefined {
    const e = this.entries.get(tag);
    if (!e) return undefined;
    const out = new Array<number>(e.count);
    const d = this.data;
    switch (e.type) {
      case RpmTagType.CHAR:
      case RpmTagType.INT8:
        for (let n = 0; n < e.count; n++) out[n] = d[e.offset + n];
        return out;
      case RpmTagType.INT16:
        for (let n = 0; n < e.count; n++) out[n] = d.readUInt16BE(e.offset + 2 * n);
        return out;
      case RpmTagType.INT32:
        for (let n = 0; n < e.count; n++) out[n] = d.readUInt32BE(e.offset + 4 * n);
        return out;
      case RpmTagType.INT64:
        for (let n = 0; n < e.count; n++) out[n] = Number(d.readBigUInt64BE(e.offset + 8 * n));
        return out;
      default:
        throw this.badType(e, 'an integer');
    }
  }

  /** First value of an integer tag. */
  getNumber(tag: number): number | undefined {
    return this.getNumbers(tag)?.[0];
  }

  /** Raw bytes of a BIN tag (a view into the header buffer). */
  getBinary(tag: number): Buffer | undefined {
    const e = this.entries.get(tag);
    if (!e) return undefined;
    if (e.type !== RpmTagType.BIN) throw this.badType(e, 'binary data');
    return this.data.subarray(e.offset, e.offset + e.count);
  }

  /** The header exactly as stored on disk (intro + index + data), e.g. to compute header digests. */
  toBuffer(): Buffer {
    return this.raw.subarray(0, headerSize(this.il, this.dl));
  }

  private expectString(e: HeaderEntry): void {
    if (!STRING_TYPES.has(e.type)) throw this.badType(e, 'a string');
  }

  private badType(e: HeaderEntry, expected: string): Error {
    return rpmInvalid(
      this.file,
      `${this.kind} header tag ${rpmTagName(e.tag, this.kind === 'signature')} has type ${TYPE_NAMES[e.type] ?? e.type}, expected ${expected}`,
    );
  }
}
