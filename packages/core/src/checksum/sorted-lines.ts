import { createHash } from 'node:crypto';

/**
 * sha256 (hex) of `lines` sorted (Array.prototype.sort's order: UTF-16 code units), each written as
 * `${prefix}${line}\n`, followed by `trailer`. Identifies a set of lines whatever their order.
 *
 * Hashed a batch of lines at a time: one update per line costs more than the hashing, and one update of
 * the whole text first builds (and flattens) a string of megabytes.
 */
export function sortedLinesDigest(lines: readonly string[], prefix: string, trailer = ''): string {
  const sorted = sortLines(lines);
  const hash = createHash('sha256');
  for (let i = 0; i < sorted.length; i += BATCH) hash.update(`${prefix}${sorted.slice(i, i + BATCH).join(`\n${prefix}`)}\n`);
  return hash.update(trailer).digest('hex');
}

const BATCH = 1024;
const BUCKET_KEY = 8;

/**
 * `lines` in Array.prototype.sort's order, sorted in buckets of their first few characters: lines that
 * share a long prefix (pool hrefs: `pool/<dd>/<digest>/...`) are then compared far fewer times. Two
 * buckets' keys order every line of one before every line of the other (a key shorter than BUCKET_KEY is
 * a whole line, which sorts before any longer line it begins).
 */
export function sortLines(lines: readonly string[]): string[] {
  const buckets = new Map<string, string[]>();
  for (const line of lines) {
    const key = line.slice(0, BUCKET_KEY);
    const bucket = buckets.get(key);
    if (bucket) bucket.push(line);
    else buckets.set(key, [line]);
  }
  const out: string[] = [];
  for (const key of [...buckets.keys()].sort()) {
    const bucket = buckets.get(key) as string[];
    if (bucket.length > 1) bucket.sort();
    for (const line of bucket) out.push(line);
  }
  return out;
}
