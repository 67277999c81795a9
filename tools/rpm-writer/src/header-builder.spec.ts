import { HeaderBuilder } from './header-builder.js';
import { RegionTag, TagType } from './tags.js';

interface IndexEntry {
  tag: number;
  type: number;
  offset: number;
  count: number;
}

function parse(buf: Buffer): { il: number; dl: number; entries: IndexEntry[]; data: Buffer } {
  const il = buf.readUInt32BE(8);
  const dl = buf.readUInt32BE(12);
  const entries: IndexEntry[] = [];
  for (let i = 0; i < il; i++) {
    const at = 16 + 16 * i;
    entries.push({ tag: buf.readUInt32BE(at), type: buf.readUInt32BE(at + 4), offset: buf.readInt32BE(at + 8), count: buf.readUInt32BE(at + 12) });
  }
  return { il, dl, entries, data: buf.subarray(16 + 16 * il) };
}

describe('HeaderBuilder', () => {
  it('writes the magic, a region entry first and a trailer closing the data', () => {
    const buf = new HeaderBuilder().string(1000, 'hello').int32(1006, 7).build(RegionTag.IMMUTABLE);
    expect(buf.subarray(0, 8).toString('hex')).toBe('8eade80100000000');
    const { il, dl, entries, data } = parse(buf);
    expect(il).toBe(3);
    expect(data.length).toBe(dl);
    expect(buf.length).toBe(16 + 16 * il + dl);
    expect(entries[0]).toEqual({ tag: 63, type: TagType.BIN, offset: dl - 16, count: 16 });
    const trailer = data.subarray(dl - 16);
    expect(trailer.readUInt32BE(0)).toBe(63);
    expect(trailer.readUInt32BE(4)).toBe(TagType.BIN);
    expect(trailer.readInt32BE(8)).toBe(-16 * il);
    expect(trailer.readUInt32BE(12)).toBe(16);
  });

  it('sorts entries by tag and aligns each value for its type', () => {
    const buf = new HeaderBuilder()
      .int32(1006, [1, 2])
      .string(1000, 'abc')
      .int16(1030, [0o100644])
      .stringArray(1117, ['a', 'bb'])
      .build(RegionTag.IMMUTABLE);
    const { entries, data } = parse(buf);
    expect(entries.map((e) => e.tag)).toEqual([63, 1000, 1006, 1030, 1117]);
    const byTag = new Map(entries.map((e) => [e.tag, e]));
    expect(byTag.get(1000)).toMatchObject({ type: TagType.STRING, offset: 0, count: 1 });
    // "abc\0" ends at 4, already aligned for the int32 array.
    expect(byTag.get(1006)).toMatchObject({ type: TagType.INT32, offset: 4, count: 2 });
    expect(data.readUInt32BE(8)).toBe(2);
    expect(byTag.get(1030)).toMatchObject({ type: TagType.INT16, offset: 12, count: 1 });
    expect(data.readUInt16BE(12)).toBe(0o100644);
    expect(byTag.get(1117)).toMatchObject({ type: TagType.STRING_ARRAY, offset: 14, count: 2 });
    expect(data.subarray(14, 19).toString('latin1')).toBe('a\0bb\0');
  });

  it('pads with zeros before a value that needs alignment', () => {
    const { entries, data } = parse(new HeaderBuilder().string(1000, 'ab').int32(1006, 0xdeadbeef).build(RegionTag.IMMUTABLE));
    const int = entries.find((e) => e.tag === 1006)!;
    expect(int.offset).toBe(4);
    expect(data.subarray(0, 4).toString('hex')).toBe('61620000');
  });

  it('omits empty arrays, which rpm would reject with a count of 0', () => {
    const { entries } = parse(new HeaderBuilder().stringArray(1047, []).int32(1048, []).string(1000, 'x').build(RegionTag.IMMUTABLE));
    expect(entries.map((e) => e.tag)).toEqual([63, 1000]);
  });

  it('refuses NUL in strings, out-of-range integers and tags set twice', () => {
    expect(() => new HeaderBuilder().string(1000, 'a\0b')).toThrow(/tag 1000.*NUL/);
    expect(() => new HeaderBuilder().int32(1006, -1)).toThrow(/tag 1006/);
    expect(() => new HeaderBuilder().int16(1030, [0x10000])).toThrow(/tag 1030/);
    expect(() => new HeaderBuilder().string(1000, 'a').string(1000, 'b')).toThrow(/set twice/);
  });

  it('writes a signature-style header with the signatures region tag', () => {
    const { entries } = parse(new HeaderBuilder().string(273, 'f'.repeat(64)).int32(1000, 5).build(RegionTag.SIGNATURES));
    expect(entries[0].tag).toBe(62);
    expect(entries.map((e) => e.tag)).toEqual([62, 273, 1000]);
  });
});
