import { RpmHeader, RpmTag, RpmTagType } from './index.js';
import { encodeHeader, i18n, int16, int32, int64, str, strs, type SyntheticEntry } from './synthetic-rpm.spec.helper.js';
import { decodeHeaderString } from './text.js';

function header(entries: SyntheticEntry[], region?: number): RpmHeader {
  const raw = encodeHeader(entries, region);
  return new RpmHeader('main', raw, raw.readUInt32BE(8), raw.readUInt32BE(12), '/x/test.rpm');
}

describe('RpmHeader', () => {
  const h = header(
    [
      str(RpmTag.NAME, 'pkg'),
      i18n(RpmTag.SUMMARY, 'C summary', 'deutsche Zusammenfassung'),
      strs(RpmTag.PROVIDENAME, ['a', '', 'ü']),
      int16(RpmTag.FILEMODES, 0o100644, 0o40755),
      int32(RpmTag.FILEFLAGS, 0, 0xffffffff),
      int64(RpmTag.LONGSIZE, 5_000_000_000n),
      { tag: 5000, type: RpmTagType.CHAR, value: [65, 66] },
      { tag: 5001, type: RpmTagType.INT8, value: [255] },
      { tag: 5002, type: RpmTagType.BIN, value: Buffer.from([1, 2, 3]) },
    ],
    RpmTag.HEADERIMMUTABLE,
  );

  it('reads strings of every string type, taking element 0 of arrays and I18N strings', () => {
    expect(h.getString(RpmTag.NAME)).toBe('pkg');
    expect(h.getString(RpmTag.SUMMARY)).toBe('C summary');
    expect(h.getString(RpmTag.PROVIDENAME)).toBe('a');
    expect(h.getStringArray(RpmTag.PROVIDENAME)).toEqual(['a', '', 'ü']);
    expect(h.getStringArray(RpmTag.SUMMARY)).toEqual(['C summary', 'deutsche Zusammenfassung']);
    expect(h.getStringArray(RpmTag.NAME)).toEqual(['pkg']);
  });

  it('reads integers of every width as unsigned numbers', () => {
    expect(h.getNumbers(RpmTag.FILEMODES)).toEqual([0o100644, 0o40755]);
    expect(h.getNumbers(RpmTag.FILEFLAGS)).toEqual([0, 0xffffffff]);
    expect(h.getNumber(RpmTag.LONGSIZE)).toBe(5_000_000_000);
    expect(h.getNumbers(5000)).toEqual([65, 66]);
    expect(h.getNumber(5001)).toBe(255);
    expect(h.getBinary(5002)).toEqual(Buffer.from([1, 2, 3]));
  });

  it('answers undefined for absent tags and lists the present ones', () => {
    expect(h.getString(RpmTag.URL)).toBeUndefined();
    expect(h.getNumbers(RpmTag.EPOCH)).toBeUndefined();
    expect(h.has(RpmTag.HEADERIMMUTABLE)).toBe(true);
    expect(h.tags()).toEqual([
      RpmTag.HEADERIMMUTABLE, RpmTag.NAME, RpmTag.SUMMARY, RpmTag.FILEMODES, RpmTag.FILEFLAGS, RpmTag.PROVIDENAME, 5000, 5001, 5002, RpmTag.LONGSIZE,
    ]);
    expect(h.entry(RpmTag.NAME)).toMatchObject({ tag: RpmTag.NAME, type: RpmTagType.STRING, count: 1 });
  });

  it('refuses to read a tag as the wrong kind of value', () => {
    expect(() => h.getNumber(RpmTag.NAME)).toThrow(/tag 1000 \(NAME\) has type STRING, expected an integer in \/x\/test\.rpm/);
    expect(() => h.getString(RpmTag.FILEMODES)).toThrow(/has type INT16, expected a string/);
    expect(() => h.getBinary(RpmTag.NAME)).toThrow(/expected binary data/);
  });

  it('returns its on-disk bytes', () => {
    const raw = encodeHeader([str(RpmTag.NAME, 'x')]);
    expect(new RpmHeader('main', Buffer.concat([raw, Buffer.from('payload')]), 1, raw.readUInt32BE(12), 'f').toBuffer()).toEqual(raw);
  });
});

describe('decodeHeaderString (createrepo_c text rules)', () => {
  const decode = (bytes: number[] | string) => {
    const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
    return decodeHeaderString(b, 0, b.length);
  };

  it('keeps valid UTF-8, including a genuine U+FFFD', () => {
    expect(decode([...Buffer.from('Zoë ✓ \uFFFD')])).toBe('Zoë ✓ \uFFFD');
  });

  it('re-reads invalid UTF-8 as Latin-1, dropping bytes 0x80-0xBF', () => {
    expect(decode('caf\xe9')).toBe('café');
    expect(decode('\x93quoted\x94 \xa9 \xff')).toBe('quoted  ÿ');
  });

  it('keeps control characters so the record check can reject them', () => {
    expect(decode('\xe9\x01\t')).toBe('é\x01\t');
  });
});
