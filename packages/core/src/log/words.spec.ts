import { humanBytes, plural } from './words.js';

describe('words for people', () => {
  it('plural: one, none and many', () => {
    expect([plural(1, 'package'), plural(0, 'package'), plural(2, 'package'), plural(1, 'leftover'), plural(3, 'index', 'indexes')]).toEqual(['1 package', '0 packages', '2 packages', '1 leftover', '3 indexes']);
  });
  it('humanBytes: bytes below 1 KiB as they are, then one decimal', () => {
    expect([humanBytes(0), humanBytes(1023), humanBytes(1024), humanBytes(1536), humanBytes(5 * 1024 ** 3)]).toEqual(['0 B', '1023 B', '1.0 KiB', '1.5 KiB', '5.0 GiB']);
  });
});
