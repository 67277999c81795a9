import type { FileRange } from '@ovirt-repo/core';
import type { SnapshotPackage, SnapshotRecord } from './snapshot-record.js';

/*
 * snapshot.json is plain JSON, read with JSON.parse by everything that reads it. It is written with one
 * package a line, after every other field:
 *
 *   {"format":1,"repo":"exp",...,"repomdSha256":"...","packages":[
 *   {"name":"a",...},
 *   {"name":"b",...}
 *   ]}
 *
 * so that a deploy into a repo of tens of thousands of packages can take the latest snapshot's packages as
 * lines of text: it parses the few it looks at (RecordLines) and copies the rest into the next record as
 * they are, instead of parsing and serialising every package again.
 */

/** Where the head ends and the package lines begin, and how the file ends (see RecordLines). */
export const OPEN = '"packages":[\n';
export const CLOSE = ']}\n';

/** A package as a line of snapshot.json: always these keys in this order (see RecordLines.hrefAt). */
export function packageLine(p: SnapshotPackage): string {
  return JSON.stringify({
    name: p.name,
    epoch: p.epoch,
    version: p.version,
    release: p.release,
    arch: p.arch,
    href: p.href,
    checksumType: p.checksumType,
    digest: p.digest,
    size: p.size,
  });
}

/** The head: every field but the packages, then the opening of the packages array. */
export function recordHead(record: Omit<SnapshotRecord, 'packages'>): string {
  const { packages: _ignored, ...head } = record as SnapshotRecord;
  const text = JSON.stringify(head);
  return `${text.slice(0, -1)},${OPEN}`;
}

/**
 * What follows the head: the packages and the close, as pieces to write one after another. Each piece
 * given is one package line or several (a run of an earlier record's lines, separators inside, as bytes or
 * as a range of that record's file), without a line end.
 */
export function recordBody(pieces: ReadonlyArray<string | Uint8Array | FileRange>): Array<Uint8Array | FileRange> {
  const parts: Array<Uint8Array | FileRange> = [];
  for (const [i, p] of pieces.entries()) {
    if (i > 0) parts.push(SEPARATOR);
    parts.push(typeof p === 'string' ? Buffer.from(p) : p);
  }
  parts.push(Buffer.from(pieces.length > 0 ? `\n${CLOSE}` : CLOSE));
  return parts;
}

const SEPARATOR = Buffer.from(',\n');

/**
 * Where each package line of recordBody(pieces) starts, relative to the body (just after the head), and
 * where the body ends: for the record cache (record-cache.ts). Each piece is given by its length and its
 * lines' starts relative to it (a package line: [0]; a run: RecordLines.runStarts).
 */
export function recordBodyStarts(pieces: ReadonlyArray<{ length: number; starts: ArrayLike<number> }>): Int32Array {
  const out = new Int32Array(pieces.reduce((n, p) => n + p.starts.length, 0) + 1);
  let offset = 0;
  let k = 0;
  for (const [i, p] of pieces.entries()) {
    if (i > 0) offset += SEPARATOR.length;
    for (let j = 0; j < p.starts.length; j++) out[k++] = offset + (p.starts[j] as number);
    offset += p.length;
  }
  out[k] = pieces.length > 0 ? offset + 1 : 0;
  return out;
}

/** snapshot.json of `record`, in the layout above. */
export function recordFileText(record: SnapshotRecord): Buffer {
  return Buffer.concat([Buffer.from(recordHead(record)), ...(recordBody(record.packages.map(packageLine)) as Uint8Array[])]);
}
