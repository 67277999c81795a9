import { formatSize, parseSize, sizeProblem } from './size.js';

describe('parseSize', () => {
  it.each([
    ['0', 0],
    ['1048576', 1_048_576],
    ['64K', 65_536],
    ['64KiB', 65_536],
    ['512M', 536_870_912],
    ['4GiB', 4_294_967_296],
    ['1T', 1_099_511_627_776],
    [' 16M ', 16_777_216],
    [4096, 4096],
  ])('%j is %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', '4GB', '4 GiB', '4g', '1.5G', '-1', 'G', '4Gi', 'lots'])('rejects %j with a usage error naming it', (text) => {
    expect(() => parseSize(text)).toThrow(expect.objectContaining({ code: 'E_USAGE', message: expect.stringContaining(JSON.stringify(text.trim())) }));
  });

  it('rejects negative, fractional and enormous numbers', () => {
    expect(sizeProblem(-1)).toMatch(/got -1/);
    expect(sizeProblem(1.5)).toMatch(/got 1.5/);
    expect(sizeProblem('99999999T')).toMatch(/too large/);
  });
});

describe('formatSize', () => {
  it.each([
    [4_294_967_296, '4GiB'],
    [536_870_912, '512MiB'],
    [1536, '1536'],
    [0, '0'],
    [1000, '1000'],
  ])('%d is %j, which parses back', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
    expect(parseSize(text)).toBe(bytes);
  });
});
