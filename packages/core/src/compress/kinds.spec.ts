import { compressionFromName, compressionSuffix, detectCompression, parseCompressionKind } from './index.js';

describe('compression kinds', () => {
  it('reads the kind from the file name ending, as dnf does', () => {
    expect(compressionFromName('abc-primary.xml.gz')).toBe('gz');
    expect(compressionFromName('x/other.xml.XZ')).toBe('xz');
    expect(compressionFromName('primary.sqlite.bz2')).toBe('bz2');
    expect(compressionFromName('primary.xml.zst')).toBe('zstd');
    expect(compressionFromName('primary.xml.zstd')).toBe('zstd');
    expect(compressionFromName('repomd.xml')).toBe('none');
    expect(compressionFromName('comps.xml.gzip')).toBe('none');
  });

  it('gives the ending createrepo_c uses', () => {
    expect(['gz', 'xz', 'bz2', 'zstd', 'none'].map((k) => compressionSuffix(k as never))).toEqual([
      '.gz',
      '.xz',
      '.bz2',
      '.zst',
      '',
    ]);
  });

  it('parses user spellings and rejects unknown ones', () => {
    expect(parseCompressionKind('gzip')).toBe('gz');
    expect(parseCompressionKind('ZST')).toBe('zstd');
    expect(parseCompressionKind('bzip2')).toBe('bz2');
    expect(parseCompressionKind('none')).toBe('none');
    expect(parseCompressionKind('lz4')).toBeUndefined();
  });

  it('detects the real kind from magic bytes', () => {
    expect(detectCompression(Buffer.from([0x1f, 0x8b, 8, 0]))).toBe('gz');
    expect(detectCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0]))).toBe('xz');
    expect(detectCompression(Buffer.from('BZh91AY'))).toBe('bz2');
    expect(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0]))).toBe('zstd');
    expect(detectCompression(Buffer.from([0x50, 0x2a, 0x4d, 0x18]))).toBe('zstd');
    expect(detectCompression(Buffer.from('<?xml'))).toBeUndefined();
    expect(detectCompression(Buffer.from([0x1f]))).toBeUndefined();
  });
});
