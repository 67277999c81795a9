import { closeSync, fstatSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { ioError, isOvirtRepoError, readFullySync, type FileRange } from '@ovirt-repo/core';
import { SNAPSHOT_RECORD } from './layout.js';
import { CLOSE, OPEN } from './record-file.js';
import type { SnapshotPackage, SnapshotRecord } from './snapshot-record.js';

/**
 * A snapshot.json in the layout of record-file.ts, left on disk: a package is read and parsed only when
 * asked for, and runs of lines are copied into the next record as ranges of this file. A deploy into a repo
 * of tens of thousands of packages looks at a few hundred lines; reading the whole file into memory would
 * cost more than everything else it does with it (fresh memory is slow to touch on virtual machines).
 *
 * Undefined from open() for a file in any other layout (written before it, or by hand): read it with
 * readSnapshotRecord then. Holds the file open until close().
 */
export class RecordLines {
  private readonly parsed = new Map<number, SnapshotPackage>();
  /** The last block read for lines, and where in the file it starts and ends. */
  private readonly block = Buffer.allocUnsafe(LINE_BLOCK);
  private blockStart = 0;
  private blockEnd = 0;

  private constructor(
    readonly head: Omit<SnapshotRecord, 'packages'>,
    private readonly fd: number,
    private readonly path: string,
    /** Where each line starts in the file, and one past the last line's end. */
    private readonly starts: Int32Array,
    private readonly bodyStart: number,
    /** True when the lines' starts came from open()'s `known`, false when the file was scanned for them. */
    readonly knownStarts: boolean,
  ) {}

  get length(): number {
    return this.starts.length - 1;
  }

  /** Lines [from, to) as they are in the file, the separators between them kept, none after the last. */
  run(from: number, to: number): FileRange {
    const offset = this.starts[from] as number;
    return { fd: this.fd, offset, length: this.lineEnd(to - 1) - offset };
  }

  /** Where lines [from, to) start, relative to the first one's start (see recordBodyStarts). */
  runStarts(from: number, to: number): Int32Array {
    return relative(this.starts, from, to, this.starts[from] as number);
  }

  /** Where each line starts relative to the body, and where the body ends: what the record cache keeps. */
  bodyStarts(): Int32Array {
    return relative(this.starts, 0, this.starts.length, this.bodyStart);
  }

  /** Package i, parsed once. */
  at(i: number): SnapshotPackage {
    let p = this.parsed.get(i);
    if (!p) this.parsed.set(i, (p = JSON.parse(this.line(i).toString('utf8')) as SnapshotPackage));
    return p;
  }

  /** Package i's href, read from its line without parsing the rest (or parsed, if it has escapes). */
  hrefAt(i: number): string {
    const line = this.line(i);
    const at = line.indexOf(HREF);
    const close = at < 0 ? -1 : line.indexOf(QUOTE, at + HREF.length);
    if (close < 0) return this.at(i).href;
    // Read as latin1, one character a byte: anything but plain ASCII (escapes, UTF-8) is then read the
    // slow, exact way.
    const href = line.toString('latin1', at + HREF.length, close);
    return PLAIN.test(href) ? href : this.at(i).href;
  }

  /** Every package's href, in order. */
  hrefs(): string[] {
    const out = new Array<string>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.hrefAt(i);
    return out;
  }

  /** Closes the file; runs given out before must have been copied by then. */
  close(): void {
    closeSync(this.fd);
  }

  /** Line i's text, without its separator: a view of the block, good until the next line is read. */
  private line(i: number): Buffer {
    const start = this.starts[i] as number;
    const end = this.lineEnd(i);
    if (start < this.blockStart || end > this.blockEnd) {
      // Lines are mostly read in order (a chunk's, a name group's): a block holds a few hundred.
      if (end - start > this.block.length) return readAt(this.fd, this.path, Buffer.allocUnsafe(end - start), start);
      const got = readAt(this.fd, this.path, this.block, start);
      this.blockStart = start;
      this.blockEnd = start + got.length;
      if (end > this.blockEnd) throw ioError('read snapshot record', this.path, new Error('the file is shorter than when it was opened'));
    }
    return this.block.subarray(start - this.blockStart, end - this.blockStart);
  }

  /** Where line i's text ends: before its separator (",\n", or "\n" after the last line). */
  private lineEnd(i: number): number {
    return (this.starts[i + 1] as number) - (i + 1 < this.length ? 2 : 1);
  }

  /**
   * `known`: where the lines start relative to the body, as the record cache kept them (bodyStarts); used
   * if it fits the file (every line after a newline, the last one ending the body), else the file is
   * scanned. Either is one pass over the file through a small buffer.
   */
  static async open(dir: string, known?: Int32Array): Promise<RecordLines | undefined> {
    const path = join(dir, SNAPSHOT_RECORD);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw ioError('read snapshot record', path, e);
    }
    try {
      const lines = RecordLines.layoutOf(fd, path, known);
      if (!lines) closeSync(fd);
      return lines;
    } catch (e) {
      closeSync(fd);
      throw isOvirtRepoError(e) ? e : ioError('read snapshot record', path, e);
    }
  }

  private static layoutOf(fd: number, path: string, known: Int32Array | undefined): RecordLines | undefined {
    const size = fstatSync(fd).size;
    const found = headOf(fd, path, size);
    const bodyEnd = size - CLOSE.length;
    if (!found || bodyEnd < found.bodyStart || readAt(fd, path, Buffer.alloc(CLOSE.length), bodyEnd).toString('utf8') !== CLOSE) return undefined;
    const { bodyStart } = found;
    const scan = new BodyScan(fd, path, bodyStart, bodyEnd);
    const fitting = known && scan.fitting(known);
    const starts = fitting ?? scan.starts();
    if (!starts) return undefined;
    return new RecordLines(found.head, fd, path, starts, bodyStart, fitting !== undefined);
  }
}

/** The head (every field but the packages, the first line) and where the lines begin, if it is one. */
function headOf(fd: number, path: string, size: number): { head: Omit<SnapshotRecord, 'packages'>; bodyStart: number } | undefined {
  // A head is a few KB (more with many sources): read more until its line ends.
  let bytes: Buffer = Buffer.alloc(0);
  let newline = -1;
  for (let want = 16 * 1024; newline < 0 && bytes.length < size; want *= 4) {
    bytes = readAt(fd, path, Buffer.allocUnsafe(Math.min(want, size)), 0);
    newline = bytes.indexOf(NEWLINE);
  }
  const open = bytes.indexOf(OPEN);
  if (open < 0 || newline !== open + OPEN.length - 1) return undefined;
  let head: SnapshotRecord;
  try {
    head = JSON.parse(`${bytes.toString('utf8', 0, open + OPEN.length - 1)}]}`) as SnapshotRecord;
  } catch {
    return undefined;
  }
  if (head.format !== 1) return undefined;
  const { packages: _none, ...rest } = head;
  return { head: rest, bodyStart: open + OPEN.length };
}

/** One pass over the body, through a reused buffer, for where its lines start. */
class BodyScan {
  constructor(
    private readonly fd: number,
    private readonly path: string,
    private readonly bodyStart: number,
    private readonly bodyEnd: number,
  ) {}

  /** Every line after a newline, the last one ending the body: the starts, else undefined. */
  starts(): Int32Array | undefined {
    const out: number[] = [];
    if (this.bodyEnd > this.bodyStart) out.push(this.bodyStart);
    let last = -1;
    this.each((bytes, offset) => {
      for (let nl = bytes.indexOf(NEWLINE); nl >= 0; nl = bytes.indexOf(NEWLINE, nl + 1)) {
        last = offset + nl;
        if (last + 1 < this.bodyEnd) out.push(last + 1);
      }
      return true;
    });
    if (this.bodyEnd > this.bodyStart && last !== this.bodyEnd - 1) return undefined;
    out.push(this.bodyEnd);
    return Int32Array.from(out);
  }

  /** `known` made absolute, if it fits: rising, each line after a newline, the last one ending the body. */
  fitting(known: Int32Array): Int32Array | undefined {
    const n = known.length - 1;
    if (n < 0 || known[0] !== 0 || known[n] !== this.bodyEnd - this.bodyStart) return undefined;
    const starts = new Int32Array(n + 1);
    starts[0] = this.bodyStart;
    for (let i = 1; i <= n; i++) {
      starts[i] = this.bodyStart + (known[i] as number);
      if ((starts[i] as number) <= (starts[i - 1] as number)) return undefined;
    }
    // Each line after a newline: the byte before each start (and the body's last byte) is one.
    let i = 1;
    const fits = this.each((bytes, offset) => {
      const end = offset + bytes.length;
      for (; i <= n && (starts[i] as number) - 1 < end; i++) if (bytes[(starts[i] as number) - 1 - offset] !== NEWLINE) return false;
      return true;
    });
    return fits && i > n ? starts : undefined;
  }

  /** Calls `visit` with each piece of the body in order, until it returns false; whether none did. */
  private each(visit: (bytes: Buffer, offset: number) => boolean): boolean {
    const buffer = Buffer.allocUnsafe(SCAN_BLOCK);
    for (let offset = this.bodyStart; offset < this.bodyEnd; ) {
      const bytes = readAt(this.fd, this.path, buffer.subarray(0, Math.min(SCAN_BLOCK, this.bodyEnd - offset)), offset);
      if (bytes.length === 0) throw ioError('read snapshot record', this.path, new Error('the file is shorter than when it was opened'));
      if (!visit(bytes, offset)) return false;
      offset += bytes.length;
    }
    return true;
  }
}

/**
 * starts[from..to) less `base`. A loop, not TypedArray.map: it runs once a sync over every package, before
 * the JIT has optimised anything, where a callback a line costs several times more.
 */
function relative(starts: Int32Array, from: number, to: number, base: number): Int32Array {
  const out = new Int32Array(to - from);
  for (let i = from; i < to; i++) out[i - from] = (starts[i] as number) - base;
  return out;
}

/** `into` filled from `position` as far as the file goes: the part read. */
function readAt(fd: number, path: string, into: Buffer, position: number): Buffer {
  try {
    return into.subarray(0, readFullySync(fd, into, position));
  } catch (e) {
    throw ioError('read snapshot record', path, e);
  }
}

/** How much is read at a time for lines (a few hundred of them), and for a pass over the whole body. */
const LINE_BLOCK = 64 * 1024;
const SCAN_BLOCK = 256 * 1024;

const HREF = Buffer.from('"href":"');
const QUOTE = 0x22;
const NEWLINE = 0x0a;
const PLAIN = /^[\x21-\x5b\x5d-\x7e]*$/;
