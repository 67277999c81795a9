import { readFile } from 'node:fs/promises';
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

/** The whole file, from its head and its package lines (each without a line end). */
export function recordText(head: string, lines: readonly string[]): string {
  return `${head}${recordBody(lines)}`;
}

/** What follows the head: the package lines and the close. */
export function recordBody(lines: readonly string[]): string {
  return `${lines.join(',\n')}${lines.length > 0 ? '\n' : ''}${CLOSE}`;
}

/** snapshot.json of `record`, in the layout above. */
export function recordFileText(record: SnapshotRecord): string {
  return recordText(recordHead(record), record.packages.map(packageLine));
}

/**
 * A snapshot.json in the layout above, its packages left as lines until asked for. Undefined from
 * openRecordLines for a file in any other layout (written before it, or by hand): read it with
 * readSnapshotRecord then.
 */
export class RecordLines {
  private readonly parsed = new Map<number, SnapshotPackage>();

  private constructor(
    readonly head: Omit<SnapshotRecord, 'packages'>,
    private readonly text: string,
    /** Where each line starts, and one past the last line's end. */
    private readonly starts: Int32Array,
  ) {}

  get length(): number {
    return this.starts.length - 1;
  }

  /** Line i, without its separator. */
  line(i: number): string {
    return this.text.slice(this.starts[i], (this.starts[i + 1] as number) - (i + 1 < this.length ? 2 : 1));
  }

  /** Package i, parsed once. */
  at(i: number): SnapshotPackage {
    let p = this.parsed.get(i);
    if (!p) this.parsed.set(i, (p = JSON.parse(this.line(i)) as SnapshotPackage));
    return p;
  }

  /** Package i's href, read from its line without parsing the rest (or parsed, if it has escapes). */
  hrefAt(i: number): string {
    const start = this.starts[i] as number;
    const at = this.text.indexOf('"href":"', start);
    const end = at < 0 ? -1 : this.text.indexOf('"', at + 8);
    if (at < 0 || end >= (this.starts[i + 1] as number)) return this.at(i).href;
    const href = this.text.slice(at + 8, end);
    return href.includes('\\') ? this.at(i).href : href;
  }

  /** Every package's href, in order. */
  hrefs(): string[] {
    const out = new Array<string>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.hrefAt(i);
    return out;
  }

  static async open(dir: string): Promise<RecordLines | undefined> {
    const path = join(dir, SNAPSHOT_RECORD);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw ioError('read snapshot record', path, e);
    }
    const open = text.indexOf(OPEN);
    if (open < 0 || text.indexOf('\n') !== open + OPEN.length - 1 || !text.endsWith(CLOSE)) return undefined;
    let head: SnapshotRecord;
    try {
      head = JSON.parse(`${text.slice(0, open + OPEN.length - 1)}]}`) as SnapshotRecord;
    } catch {
      return undefined;
    }
    if (head.format !== 1) return undefined;
    const body = open + OPEN.length;
    const bodyEnd = text.length - CLOSE.length;
    const starts: number[] = [];
    for (let at = body; at < bodyEnd; ) {
      starts.push(at);
      const nl = text.indexOf('\n', at);
      if (nl < 0 || nl >= bodyEnd + 1) return undefined;
      at = nl + 1;
    }
    starts.push(bodyEnd);
    const { packages: _none, ...rest } = head;
    return new RecordLines(rest, text, Int32Array.from(starts));
  }
}
