import { createHash } from 'node:crypto';

/**
 * sha256 (hex) of `lines` sorted (Array.prototype.sort's order: UTF-16 code units), each written as
 * `${prefix}${line}\n`, followed by `trailer`. Identifies a set of lines whatever their order. Hashed in
 * one update: one per line costs more than the hashing.
 */
export function sortedLinesDigest(lines: readonly string[], prefix: string, trailer = ''): string {
  const sorted = [...lines].sort();
  const text = sorted.length > 0 ? `${prefix}${sorted.join(`\n${prefix}`)}\n${trailer}` : trailer;
  return createHash('sha256').update(text).digest('hex');
}
