export interface CpioEntry {
  /** Name as stored, e.g. `./usr/bin/hello` (rpm prefixes binary payload names with `./`). */
  name: string;
  ino: number;
  /** Full st_mode, file type bits included. */
  mode: number;
  mtime: number;
  /** File contents, or the link target of a symlink; empty for directories. */
  data: Buffer;
  /** Hard links sharing `ino`, this one included (default 1); the contents go with the last one only. */
  nlink?: number;
}

const MAGIC = '070701';
const TRAILER = 'TRAILER!!!';

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}

function pad4(length: number): Buffer {
  return Buffer.alloc((4 - (length % 4)) % 4);
}

function header(name: Buffer, ino: number, mode: number, nlink: number, mtime: number, size: number): string {
  // uid/gid and device numbers stay 0 like in rpm's own archives: rpm installs owners from the header's
  // FILEUSERNAME/FILEGROUPNAME and never reads them from the archive.
  const fields = [ino, mode, 0, 0, nlink, mtime, size, 0, 0, 0, 0, name.length + 1, 0];
  return MAGIC + fields.map(hex8).join('');
}

/**
 * An SVR4 "newc" cpio archive (magic 070701, no CRC) as rpm writes payloads: each header and name padded
 * to 4 bytes, each body padded to 4 bytes, then the TRAILER!!! entry, itself padded to 4 bytes.
 */
export function writeCpio(entries: readonly CpioEntry[]): Buffer {
  const chunks: Buffer[] = [];
  let length = 0;
  const push = (b: Buffer): void => {
    chunks.push(b);
    length += b.length;
  };
  const entry = (name: string, ino: number, mode: number, nlink: number, mtime: number, data: Buffer): void => {
    const nameBytes = Buffer.from(name, 'utf8');
    push(Buffer.from(header(nameBytes, ino, mode, nlink, mtime, data.length), 'ascii'));
    push(nameBytes);
    push(Buffer.alloc(1));
    push(pad4(length));
    if (data.length > 0) {
      push(data);
      push(pad4(length));
    }
  };
  for (const e of entries) entry(e.name, e.ino, e.mode, e.nlink ?? 1, e.mtime, e.data);
  entry(TRAILER, 0, 0, 1, 0, Buffer.alloc(0));
  return Buffer.concat(chunks, length);
}
