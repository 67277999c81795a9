import { TagType, type TagTypeValue } from './tags.js';

const HEADER_MAGIC = Buffer.from([0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0]);
const ENTRY_SIZE = 16;

interface Entry {
  type: TagTypeValue;
  count: number;
  data: Buffer;
  align: number;
}

function cString(tag: number, value: string): Buffer {
  // Strings are NUL-terminated on disk, so an embedded NUL would silently cut the value short.
  if (value.includes('\0')) throw new Error(`header tag ${tag}: string contains a NUL character`);
  return Buffer.from(`${value}\0`, 'utf8');
}

function uint(value: number, bits: 16 | 32, tag: number): number {
  const max = bits === 16 ? 0xffff : 0xffffffff;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new Error(`header tag ${tag}: ${value} is not an unsigned ${bits}-bit integer`);
  }
  return value;
}

/**
 * Collects tags and lays them out the way rpm's headerExport does: index sorted by tag, data in the same
 * order, each value aligned for its type, and a region tag whose trailer closes the data. rpm refuses
 * package headers without that region (it is what the header digests and signatures cover).
 */
export class HeaderBuilder {
  private readonly entries = new Map<number, Entry>();

  has(tag: number): boolean {
    return this.entries.has(tag);
  }

  string(tag: number, value: string): this {
    return this.put(tag, TagType.STRING, 1, cString(tag, value), 1);
  }

  /** Translatable string (summary, description, group); only the "C" locale is written. */
  i18nString(tag: number, value: string): this {
    return this.put(tag, TagType.I18NSTRING, 1, cString(tag, value), 1);
  }

  /** An empty list writes no tag: rpm rejects entries with a count of 0, and rpmbuild omits them too. */
  stringArray(tag: number, values: readonly string[]): this {
    if (values.length === 0) return this;
    return this.put(tag, TagType.STRING_ARRAY, values.length, Buffer.concat(values.map((v) => cString(tag, v))), 1);
  }

  int32(tag: number, values: number | readonly number[]): this {
    const list = typeof values === 'number' ? [values] : values;
    if (list.length === 0) return this;
    const data = Buffer.alloc(4 * list.length);
    list.forEach((v, i) => data.writeUInt32BE(uint(v, 32, tag), 4 * i));
    return this.put(tag, TagType.INT32, list.length, data, 4);
  }

  int16(tag: number, values: readonly number[]): this {
    if (values.length === 0) return this;
    const data = Buffer.alloc(2 * values.length);
    values.forEach((v, i) => data.writeUInt16BE(uint(v, 16, tag), 2 * i));
    return this.put(tag, TagType.INT16, values.length, data, 2);
  }

  bin(tag: number, data: Buffer): this {
    if (data.length === 0) return this;
    return this.put(tag, TagType.BIN, data.length, data, 1);
  }

  /** The on-disk header: magic, counts, index and data, closed by `regionTag`'s trailer. */
  build(regionTag: number): Buffer {
    const tags = [...this.entries.keys()].sort((a, b) => a - b);
    if (tags.length > 0 && tags[0] <= regionTag) {
      throw new Error(`header tag ${tags[0]} must sort after the region tag ${regionTag}`);
    }
    const il = tags.length + 1;
    const index = Buffer.alloc(il * ENTRY_SIZE);
    const chunks: Buffer[] = [];
    let offset = 0;
    tags.forEach((tag, i) => {
      const e = this.entries.get(tag) as Entry;
      const pad = (e.align - (offset % e.align)) % e.align;
      if (pad > 0) {
        chunks.push(Buffer.alloc(pad));
        offset += pad;
      }
      writeEntry(index, (i + 1) * ENTRY_SIZE, tag, e.type, offset, e.count);
      chunks.push(e.data);
      offset += e.data.length;
    });
    // The trailer repeats the region tag with a negative offset: the size of the index it covers (all of it).
    const trailer = Buffer.alloc(ENTRY_SIZE);
    writeEntry(trailer, 0, regionTag, TagType.BIN, -il * ENTRY_SIZE, ENTRY_SIZE);
    writeEntry(index, 0, regionTag, TagType.BIN, offset, ENTRY_SIZE);
    chunks.push(trailer);
    const dl = offset + ENTRY_SIZE;
    const intro = Buffer.alloc(16);
    HEADER_MAGIC.copy(intro, 0);
    intro.writeUInt32BE(il, 8);
    intro.writeUInt32BE(dl, 12);
    return Buffer.concat([intro, index, ...chunks], 16 + index.length + dl);
  }

  private put(tag: number, type: TagTypeValue, count: number, data: Buffer, align: number): this {
    if (this.entries.has(tag)) throw new Error(`header tag ${tag} set twice`);
    this.entries.set(tag, { type, count, data, align });
    return this;
  }
}

function writeEntry(buf: Buffer, at: number, tag: number, type: number, offset: number, count: number): void {
  buf.writeUInt32BE(tag, at);
  buf.writeUInt32BE(type, at + 4);
  buf.writeInt32BE(offset, at + 8);
  buf.writeUInt32BE(count, at + 12);
}
