import { createHash } from 'node:crypto';
import { digestOfPieces, editSortedLines, sortedLinesDigest, sortedLinesText, sortLines } from './sorted-lines.js';

/** A seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ['a', 'b', 'p', 'o', '/', '0', 'f', 'Z', 'é', '日', '\u{1F600}', ' ', '-'];

function randomLines(next: () => number): string[] {
  const out: string[] = [];
  const count = Math.floor(next() * 3000);
  for (let i = 0; i < count; i++) {
    // Shared prefixes of every length around the bucket key's, short lines, duplicates.
    const prefix = 'pool/ab/'.slice(0, Math.floor(next() * 10));
    let rest = '';
    for (let n = Math.floor(next() * 12); n > 0; n--) rest += ALPHABET[Math.floor(next() * ALPHABET.length)];
    out.push(next() < 0.05 && out.length > 0 ? (out[Math.floor(next() * out.length)] as string) : prefix + rest);
  }
  return out;
}

describe('sortedLinesDigest', () => {
  it('sorts in Array.prototype.sort order, whatever the lines', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const lines = randomLines(random(seed));
      expect({ seed, sorted: sortLines(lines) }).toEqual({ seed, sorted: [...lines].sort() });
    }
  });

  it('hashes each sorted line with its prefix and a line end, then the trailer, in any number of batches', () => {
    const lines = Array.from({ length: 2600 }, (_, i) => `pool/${(i * 7919) % 2600}/x-${i}.rpm`);
    const text = [...lines].sort().map((l) => `p ${l}\n`).join('');
    const expected = createHash('sha256').update(`${text}m updateinfo 1\n`).digest('hex');
    expect(sortedLinesDigest(lines, 'p ', 'm updateinfo 1\n')).toBe(expected);
    expect(sortedLinesDigest([...lines].reverse(), 'p ', 'm updateinfo 1\n')).toBe(expected);
    expect(sortedLinesDigest([], 'p ', 'only')).toBe(createHash('sha256').update('only').digest('hex'));
  });

  it('edits the text of an earlier set: the same text and digest as the edited set written afresh', () => {
    for (let seed = 1; seed <= 150; seed++) {
      const next = random(seed);
      const before = [...new Set(randomLines(next))];
      const removed = before.filter(() => next() < 0.05);
      const added = [...new Set(randomLines(next).slice(0, 20).map((l) => `${l}+`))].filter((l) => !before.includes(l));
      const after = [...before.filter((l) => !removed.includes(l)), ...added];
      const text = Buffer.concat(sortedLinesText(before, 'p '));
      const edited = editSortedLines(text, 'p ', removed, added);
      expect({ seed, text: Buffer.concat(edited ?? []).toString() }).toEqual({ seed, text: Buffer.concat(sortedLinesText(after, 'p ')).toString() });
      expect(digestOfPieces(edited!, 'end')).toBe(sortedLinesDigest(after, 'p ', 'end'));
    }
  });

  it('edits nothing it cannot find: a line to remove that is not there, or one to add that is', () => {
    const text = Buffer.concat(sortedLinesText(['b', 'd', 'f'], 'p '));
    expect(editSortedLines(text, 'p ', ['c'], [])).toBeUndefined();
    expect(editSortedLines(text, 'p ', [], ['d'])).toBeUndefined();
    expect(Buffer.concat(editSortedLines(text, 'p ', ['b', 'f'], ['a', 'e', 'g'])!).toString()).toBe('p a\np d\np e\np g\n');
    expect(Buffer.concat(editSortedLines(Buffer.alloc(0), 'p ', [], ['x'])!).toString()).toBe('p x\n');
  });
});
