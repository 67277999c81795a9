import { Readable } from 'node:stream';
import { ErrorCodes, OvirtRepoError } from '@ovirt-repo/core';
import type { RecordHead, SnapshotPackage, SnapshotRecord } from './snapshot-record.js';

/*
 * snapshot.json is plain JSON, read with JSON.parse by everything that reads it. It is written with its
 * head (every field but the packages) on the first line, then one package a line:
 *
 *   {"format":1,"repo":"exp",...,"repomdSha256":"...","metadata":{...},"packages":[
 *   {"name":"a",...},
 *   {"name":"b",...}
 *   ]}
 *
 * so that a publish reads only the first line, and a sync takes the latest snapshot's packages as lines
 * of text (RecordText): it parses the few it looks at and copies the rest into the next record as they are,
 * instead of parsing and serialising every package again.
 */

/** Where the head ends and the package lines begin, and how the file ends. */
const OPEN = '"packages":[\n';
const CLOSE = ']}\n';
const SEPARATOR = Buffer.from(',\n');

/** A package as a line of snapshot.json: always these keys in this order (see RecordText.hrefAt). */
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

/**
 * snapshot.json as pieces to write one after another: the head, then `lines`, each one package line or a
 * run of several (RecordText.lines: separators inside, none at the end), then the close.
 */
export function recordPieces(head: RecordHead, lines: ReadonlyArray<string | Uint8Array>): Uint8Array[] {
  const { packages: _ignored, ...fields } = head as SnapshotRecord;
  const text = JSON.stringify(fields);
  const out: Uint8Array[] = [Buffer.from(`${text.slice(0, -1)},${OPEN}`)];
  for (const [i, l] of lines.entries()) {
    if (i > 0) out.push(SEPARATOR);
    out.push(typeof l === 'string' ? Buffer.from(l) : l);
  }
  out.push(Buffer.from(lines.length > 0 ? `\n${CLOSE}` : CLOSE));
  return out;
}

/** What recordStream hands a write at a time: small pieces joined up to this; a piece this large as it is. */
const JOINED_BYTES = 1 << 20;
const WHOLE_PIECE_BYTES = 1 << 16;

/**
 * snapshot.json (recordPieces) as a stream for a store's write, in few writes: the package lines of a
 * first sync joined into buffers of about a megabyte, the runs copied from the latest record passed as
 * they are. Joining those too (one buffer of the whole file) cost a re-sync at 20,000 packages as much
 * as the write itself.
 */
export function recordStream(head: RecordHead, lines: ReadonlyArray<string | Uint8Array>): Readable {
  return Readable.from(inWrites(recordPieces(head, lines)));
}

function* inWrites(pieces: readonly Uint8Array[]): Generator<Uint8Array> {
  let run: Uint8Array[] = [];
  let size = 0;
  const joined = () => {
    const out = Buffer.concat(run, size);
    run = [];
    size = 0;
    return out;
  };
  for (const p of pieces) {
    if (p.length >= WHOLE_PIECE_BYTES) {
      if (size > 0) yield joined();
      yield p;
      continue;
    }
    run.push(p);
    size += p.length;
    if (size >= JOINED_BYTES) yield joined();
  }
  if (size > 0) yield joined();
}

/** snapshot.json of `record`, in the layout above. */
export function recordFileText(record: SnapshotRecord): Buffer {
  return Buffer.concat(recordPieces(record, record.packages.map(packageLine)));
}

/**
 * A snapshot.json read whole, in the layout above: its head parsed, its packages parsed one by one when
 * asked for (parsing all of a 20,000-package record takes longer than the rest of a deploy into it).
 */
export class RecordText {
  private readonly parsed = new Map<number, SnapshotPackage>();

  private constructor(
    readonly head: RecordHead,
    private readonly bytes: Buffer,
    /** Where each line starts, and one past the last line's end (before "\n]}"). */
    private readonly starts: Int32Array,
    private readonly path: string,
  ) {}

  get length(): number {
    return this.starts.length - 1;
  }

  /** Package i, parsed once. */
  at(i: number): SnapshotPackage {
    let p = this.parsed.get(i);
    if (!p) {
      try {
        p = JSON.parse(this.bytes.toString('utf8', this.starts[i], this.lineEnd(i))) as SnapshotPackage;
      } catch (e) {
        throw corrupt(this.path, `package line ${i + 2}: ${(e as Error).message}`);
      }
      this.parsed.set(i, p);
    }
    return p;
  }

  /** Package i's href, read from its line without parsing the rest (or parsed, if it holds escapes). */
  hrefAt(i: number): string {
    const start = this.starts[i] as number;
    const at = this.bytes.indexOf(HREF, start);
    const close = at < 0 || at >= this.lineEnd(i) ? -1 : this.bytes.indexOf(QUOTE, at + HREF.length);
    if (close < 0) return this.at(i).href;
    // Read as latin1, one character a byte: anything but plain ASCII (escapes, UTF-8) is read the exact way.
    const href = this.bytes.toString('latin1', at + HREF.length, close);
    return PLAIN.test(href) ? href : this.at(i).href;
  }

  /** Lines [from, to) as they are in the file: the separators between them kept, none after the last. */
  lines(from: number, to: number): Buffer {
    return this.bytes.subarray(this.starts[from], this.lineEnd(to - 1));
  }

  /** Where line i's text ends: before its separator (",\n", or "\n" after the last line). */
  private lineEnd(i: number): number {
    return (this.starts[i + 1] as number) - (i + 1 < this.length ? 2 : 1);
  }

  /** The record in `bytes` (read from `path`), or undefined when it is not in the layout above (older, or by hand). */
  static parse(bytes: Buffer, path: string): RecordText | undefined {
    const newline = bytes.indexOf(NEWLINE);
    if (newline < 0 || bytes.toString('utf8', newline + 1 - OPEN.length, newline + 1) !== OPEN || !bytes.subarray(bytes.length - CLOSE.length).equals(Buffer.from(CLOSE))) return undefined;
    let head: SnapshotRecord;
    try {
      head = JSON.parse(`${bytes.toString('utf8', 0, newline)}]}`) as SnapshotRecord;
    } catch {
      return undefined;
    }
    if (head.format !== 1) return undefined;
    const bodyStart = newline + 1;
    const bodyEnd = bytes.length - CLOSE.length;
    // Each line after a newline, the last one ending the body: the lines' starts.
    const starts: number[] = [];
    if (bodyEnd > bodyStart) {
      starts.push(bodyStart);
      for (let nl = bytes.indexOf(NEWLINE, bodyStart); nl >= 0 && nl < bodyEnd - 1; nl = bytes.indexOf(NEWLINE, nl + 1)) starts.push(nl + 1);
      if (bytes[bodyEnd - 1] !== NEWLINE) return undefined;
    }
    starts.push(bodyEnd);
    // A line a package, as many as the head counts: else it is not this layout after all.
    if (starts.length - 1 !== head.stats?.packages) return undefined;
    const { packages: _none, ...fields } = head;
    return new RecordText(fields, bytes, Int32Array.from(starts), path);
  }

  /** `record` in the layout above: for records written before it, read whole by JSON.parse. */
  static of(record: SnapshotRecord, path: string): RecordText {
    return RecordText.parse(recordFileText(record), path) as RecordText;
  }
}

export function corrupt(path: string, why: string): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.STORE, `snapshot record ${path} is corrupt: ${why}`, {
    target: path,
    hint: 'run `ovirt-repo snapshot verify` on it; a corrupt snapshot should be unpinned and removed by gc',
  });
}

const HREF = Buffer.from('"href":"');
const QUOTE = 0x22;
const NEWLINE = 0x0a;
const PLAIN = /^[\x21-\x5b\x5d-\x7e]*$/;
