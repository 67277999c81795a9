import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ioError } from '@ovirt-repo/core';
import { SNAPSHOT_RECORD } from './layout.js';
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

const OPEN = '"packages":[\n';
const CLOSE = ']}\n';

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
 * given is one package line or several (a run of an earlier record's lines, separators inside), without a
 * line end.
 */
export function recordBody(pieces: ReadonlyArray<string | Uint8Array>): Uint8Array[] {
  const parts: Uint8Array[] = [];
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
  const out: number[] = [];
  let offset = 0;
  for (const [i, p] of pieces.entries()) {
    if (i > 0) offset += SEPARATOR.length;
    for (let j = 0; j < p.starts.length; j++) out.push(offset + (p.starts[j] as number));
    offset += p.length;
  }
  out.push(pieces.length > 0 ? offset + 1 : 0);
  return Int32Array.from(out);
}

/** snapshot.json of `record`, in the layout above. */
export function recordFileText(record: SnapshotRecord): Buffer {
  return Buffer.concat([Buffer.from(recordHead(record)), ...recordBody(record.packages.map(packageLine))]);
}

/**
 * A snapshot.json in the layout above, kept as bytes: a package is parsed only when asked for, and runs of
 * lines are copied into the next record as they are. Undefined from open() for a file in any other layout
 * (written before it, or by hand): read it with readSnapshotRecord then.
 */
export class RecordLines {
  private readonly parsed = new Map<number, SnapshotPackage>();

  private constructor(
    readonly head: Omit<SnapshotRecord, 'packages'>,
    private readonly bytes: Buffer,
    /** Where each line starts, and one past the last line's end. */
    private readonly starts: Int32Array,
    private readonly bodyStart: number,
    /** True when the lines' starts came from open()'s `known`, false when the file was scanned for them. */
    readonly knownStarts: boolean,
  ) {}

  get length(): number {
    return this.starts.length - 1;
  }

  /** Lines [from, to) as they are in the file, the separators between them kept, none after the last. */
  run(from: number, to: number): Buffer {
    return this.bytes.subarray(this.starts[from], this.lineEnd(to - 1));
  }

  /** Where lines [from, to) start, relative to the first one's start (see recordBodyStarts). */
  runStarts(from: number, to: number): Int32Array {
    const base = this.starts[from] as number;
    return this.starts.slice(from, to).map((s) => s - base);
  }

  /** Where each line starts relative to the body, and where the body ends: what the record cache keeps. */
  bodyStarts(): Int32Array {
    const base = this.bodyStart;
    return this.starts.map((s) => s - base);
  }

  /** Package i, parsed once. */
  at(i: number): SnapshotPackage {
    let p = this.parsed.get(i);
    if (!p) this.parsed.set(i, (p = JSON.parse(this.bytes.toString('utf8', this.starts[i], this.lineEnd(i))) as SnapshotPackage));
    return p;
  }

  /** Package i's href, read from its line without parsing the rest (or parsed, if it has escapes). */
  hrefAt(i: number): string {
    const start = this.starts[i] as number;
    const end = this.lineEnd(i);
    const at = this.bytes.indexOf(HREF, start);
    const close = at < 0 || at >= end ? -1 : this.bytes.indexOf(QUOTE, at + HREF.length);
    if (close < 0 || close >= end) return this.at(i).href;
    // Read as latin1, one character a byte: anything but plain ASCII (escapes, UTF-8) is then read the
    // slow, exact way.
    const href = this.bytes.toString('latin1', at + HREF.length, close);
    return PLAIN.test(href) ? href : this.at(i).href;
  }

  /** Every package's href, in order. */
  hrefs(): string[] {
    const out = new Array<string>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.hrefAt(i);
    return out;
  }

  /** Where line i's text ends: before its separator (",\n", or "\n" after the last line). */
  private lineEnd(i: number): number {
    return (this.starts[i + 1] as number) - (i + 1 < this.length ? 2 : 1);
  }

  /**
   * `known`: where the lines start relative to the body, as the record cache kept them (bodyStarts); used
   * if it fits the file (every line after a newline, the last one ending the body), else the file is
   * scanned.
   */
  static async open(dir: string, known?: Int32Array): Promise<RecordLines | undefined> {
    const path = join(dir, SNAPSHOT_RECORD);
    let bytes: Buffer;
    try {
      // In one read: a deploy waits for it, and readFile's 512 KB pieces each cost a thread-pool round trip.
      bytes = readFileSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw ioError('read snapshot record', path, e);
    }
    const open = bytes.indexOf(OPEN);
    const bodyEnd = bytes.length - CLOSE.length;
    if (open < 0 || bytes.indexOf(NEWLINE) !== open + OPEN.length - 1 || bodyEnd < open + OPEN.length || bytes.toString('utf8', bodyEnd) !== CLOSE) return undefined;
    let head: SnapshotRecord;
    try {
      head = JSON.parse(`${bytes.toString('utf8', 0, open + OPEN.length - 1)}]}`) as SnapshotRecord;
    } catch {
      return undefined;
    }
    if (head.format !== 1) return undefined;
    const bodyStart = open + OPEN.length;
    const fitting = known && fittingStarts(bytes, bodyStart, bodyEnd, known);
    const starts = fitting ?? scanStarts(bytes, bodyStart, bodyEnd);
    if (!starts) return undefined;
    const { packages: _none, ...rest } = head;
    return new RecordLines(rest, bytes, starts, bodyStart, fitting !== undefined);
  }
}

function scanStarts(bytes: Buffer, bodyStart: number, bodyEnd: number): Int32Array | undefined {
  const starts: number[] = [];
  for (let at = bodyStart; at < bodyEnd; ) {
    starts.push(at);
    const nl = bytes.indexOf(NEWLINE, at);
    if (nl < 0 || nl > bodyEnd) return undefined;
    at = nl + 1;
  }
  starts.push(bodyEnd);
  return Int32Array.from(starts);
}

/** `known` made absolute, if it fits: rising, each line after a newline, the last one ending the body. */
function fittingStarts(bytes: Buffer, bodyStart: number, bodyEnd: number, known: Int32Array): Int32Array | undefined {
  const n = known.length - 1;
  if (n < 0 || known[0] !== 0 || known[n] !== bodyEnd - bodyStart) return undefined;
  if (n > 0 && bytes[bodyEnd - 1] !== NEWLINE) return undefined;
  // Checked and made absolute in one pass over the lines.
  const starts = new Int32Array(n + 1);
  starts[0] = bodyStart;
  for (let i = 1; i <= n; i++) {
    const at = bodyStart + (known[i] as number);
    if (at <= (starts[i - 1] as number) || bytes[at - 1] !== NEWLINE) return undefined;
    starts[i] = at;
  }
  return starts;
}

const HREF = Buffer.from('"href":"');
const QUOTE = 0x22;
const NEWLINE = 0x0a;
const PLAIN = /^[\x21-\x5b\x5d-\x7e]*$/;
