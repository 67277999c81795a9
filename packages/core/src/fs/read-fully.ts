import { readSync } from 'node:fs';

/**
 * Fills `into` from `position` of the open file `fd`, as far as the file goes (a read may give fewer bytes
 * than asked); how many bytes it read. Synchronous, for small reads on a path that waits for them anyway,
 * and for threads that do nothing else. Throws what readSync throws.
 */
export function readFullySync(fd: number, into: Uint8Array, position: number): number {
  let got = 0;
  while (got < into.length) {
    const n = readSync(fd, into, got, into.length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}
