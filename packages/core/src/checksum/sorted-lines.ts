import { createHash } from 'node:crypto';

/**
 * sha256 (hex) of `lines` sorted (Array.prototype.sort's order: UTF-16 code units), each written as
 * `${prefix}${line}\n`, followed by `trailer`. Identifies a set of lines whatever their order.
 */
export function sortedLinesDigest(lines: readonly string[], prefix: string, trailer = ''): string {
  return digestOfPieces(sortedLinesText(lines, prefix), trailer);
}

/**
 * The text sortedLinesDigest hashes, but for the trailer, as pieces. Made a batch of lines at a time: one
 * piece per line costs more than the hashing, and one string of the whole text is slow to build.
 */
export function sortedLinesText(lines: readonly string[], prefix: string): Buffer[] {
  const sorted = sortLines(lines);
  const out: Buffer[] = [];
  for (let i = 0; i < sorted.length; i += BATCH) out.push(Buffer.from(`${prefix}${sorted.slice(i, i + BATCH).join(`\n${prefix}`)}\n`));
  return out;
}

/** sha256 (hex) of `pieces` one after another, then `trailer`. */
export function digestOfPieces(pieces: readonly Uint8Array[], trailer = ''): string {
  const hash = createHash('sha256');
  for (const p of pieces) hash.update(p);
  return hash.update(trailer).digest('hex');
}

/**
 * The text of a set of lines as sortedLinesText writes it, from the text of an earlier set (`text`) with
 * lines removed and added: a few binary searches, the earlier text shared rather than copied. Undefined
 * when a line to remove is not there, or one to add already is (then `text` was not that earlier set's).
 * Lines hold no newline (as pool hrefs never do).
 */
export function editSortedLines(text: Buffer, prefix: string, removed: readonly string[], added: readonly string[]): Buffer[] | undefined {
  type Event = { at: number; end?: number; line?: Buffer };
  const events: Event[] = [];
  for (const line of removed) {
    const at = lowerBound(text, prefix.length, line);
    const end = text.indexOf(NEWLINE, at);
    if (at >= text.length || end < 0 || text.toString('utf8', at + prefix.length, end) !== line) return undefined;
    events.push({ at, end: end + 1 });
  }
  for (const line of [...added].sort()) {
    const at = lowerBound(text, prefix.length, line);
    const end = text.indexOf(NEWLINE, at);
    if (at < text.length && end >= 0 && text.toString('utf8', at + prefix.length, end) === line) return undefined;
    events.push({ at, line: Buffer.from(`${prefix}${line}\n`) });
  }
  // At one place, additions (in their order) come before the line removed there: it sorts after them.
  events.sort((a, b) => a.at - b.at || (a.line ? 0 : 1) - (b.line ? 0 : 1));
  const out: Buffer[] = [];
  let pos = 0;
  for (const e of events) {
    if (e.at > pos) out.push(text.subarray(pos, e.at));
    if (e.line) {
      out.push(e.line);
      pos = Math.max(pos, e.at);
    } else {
      pos = e.end as number;
    }
  }
  if (pos < text.length) out.push(text.subarray(pos));
  return out;
}

const NEWLINE = 0x0a;

/** Where the first line of `text` not before `line` starts (text.length if none): lines are `prefix line\n`. */
function lowerBound(text: Buffer, prefixLength: number, line: string): number {
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    // The line holding byte `mid` starts after the newline before it (lo is always a line's start).
    const start = Math.max(lo, text.lastIndexOf(NEWLINE, mid - 1) + 1);
    let end = text.indexOf(NEWLINE, start);
    if (end < 0) end = text.length;
    if (text.toString('utf8', start + prefixLength, end) < line) lo = end + 1;
    else hi = start;
  }
  return Math.min(lo, text.length);
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
