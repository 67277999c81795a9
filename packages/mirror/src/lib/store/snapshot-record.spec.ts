import { createHash } from 'node:crypto';
import { contentDigest, contentDigestOf } from './snapshot-record.js';

describe('contentDigest', () => {
  // Recorded in every snapshot.json and compared by later syncs and `snapshot verify`: its definition may
  // not change, so this pins it to the bytes it hashes.
  it('hashes the sorted hrefs, then the extra metadata sorted by type', () => {
    const expected = createHash('sha256').update('p pool/a\np pool/b\nm comps c1\nm updateinfo u1\n').digest('hex');
    expect(contentDigestOf(['pool/b', 'pool/a'], [{ type: 'updateinfo', checksum: 'u1' }, { type: 'comps', checksum: 'c1' }])).toBe(expected);
    expect(contentDigest([{ href: 'pool/a' }, { href: 'pool/b' }], [{ type: 'comps', checksum: 'c1' }, { type: 'updateinfo', checksum: 'u1' }])).toBe(expected);
  });

  it('is the digest of the extra metadata alone for no packages', () => {
    expect(contentDigestOf([], [{ type: 'comps', checksum: 'c1' }])).toBe(createHash('sha256').update('m comps c1\n').digest('hex'));
    expect(contentDigestOf([], [])).toBe(createHash('sha256').update('').digest('hex'));
  });
});
