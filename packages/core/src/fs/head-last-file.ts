import { read } from 'node:fs';
import { promisify } from 'node:util';
import { open, type FileHandle } from 'node:fs/promises';
import { ioError, isOvirtRepoError } from '../errors/index.js';

/** A new file whose body is being written, and whose head (of a length fixed in advance) comes last. */
export interface HeadLastFile {
  /** Writes `head` before the body and fsyncs the file. Fails if `head` is not of the length announced. */
  finish(head: Uint8Array): Promise<void>;
  /** Waits for the body's write to settle and closes the file (the caller removes it). Never throws. */
  abort(): Promise<void>;
}

/**
 * Starts writing a new file's body at offset `headLength`, for a file whose head is known only later but
 * whose head's length is known now (a snapshot's record: its head names repomd.xml's SHA-256, always 64 hex
 * digits, and repomd.xml is written last). The body, most of the file, is then written while the caller
 * does the rest of its work, instead of after it. Fails if `path` exists, like writeNewFileDurably; for
 * files inside a directory published whole by one rename, so a reader never sees the head missing.
 */
export function startHeadLastFile(path: string, headLength: number, body: ReadonlyArray<Uint8Array | FileRange>): HeadLastFile {
  const handle = open(path, 'wx', 0o644);
  const written = handle.then((fh) => writeBody(fh, body, headLength));
  // Settled by finish() or abort(); not an unhandled rejection meanwhile.
  written.catch(() => undefined);
  const close = async () => (await handle.catch(() => undefined))?.close();
  return {
    async finish(head) {
      try {
        if (head.length !== headLength) throw new Error(`its head is ${head.length} bytes, not the ${headLength} announced`);
        await written;
        const fh = await handle;
        await writePieces(fh, [head], 0);
        await fh.sync();
      } catch (e) {
        throw isOvirtRepoError(e) ? e : ioError('write', path, e);
      } finally {
        await close();
      }
    },
    async abort() {
      await written.catch(() => undefined);
      await close().catch(() => undefined);
    },
  };
}

/**
 * Bytes of another open file, copied through a small buffer rather than read whole into memory first
 * (the unchanged runs of an earlier snapshot's record). The caller keeps `fd` open until the write ends.
 */
export interface FileRange {
  fd: number;
  offset: number;
  length: number;
}

const isRange = (p: Uint8Array | FileRange): p is FileRange => !(p instanceof Uint8Array);

/** How much of a FileRange is copied a read. */
const COPY_BUFFER = 256 * 1024;

/** `body` from `position` on: runs of bytes with writev, ranges through one reused buffer. */
async function writeBody(fh: FileHandle, body: ReadonlyArray<Uint8Array | FileRange>, position: number): Promise<void> {
  let buffer: Buffer | undefined;
  for (let i = 0; i < body.length; ) {
    const first = body[i] as Uint8Array | FileRange;
    if (isRange(first)) {
      buffer ??= Buffer.allocUnsafe(COPY_BUFFER);
      await copyRange(fh, first, position, buffer);
      position += first.length;
      i++;
      continue;
    }
    const bytes: Uint8Array[] = [];
    for (; i < body.length && !isRange(body[i] as Uint8Array | FileRange); i++) bytes.push(body[i] as Uint8Array);
    await writePieces(fh, bytes, position);
    position += bytes.reduce((n, b) => n + b.length, 0);
  }
}

async function copyRange(fh: FileHandle, range: FileRange, position: number, buffer: Buffer): Promise<void> {
  for (let done = 0; done < range.length; ) {
    const want = Math.min(buffer.length, range.length - done);
    const { bytesRead } = await readAt(range.fd, buffer, want, range.offset + done);
    if (bytesRead === 0) throw new Error(`the file copied from ended ${range.length - done} bytes early`);
    await writePieces(fh, [buffer.subarray(0, bytesRead)], position + done);
    done += bytesRead;
  }
}

const readAt = (fd: number, buffer: Buffer, length: number, position: number) => promisify(read)(fd, buffer, 0, length, position);

/**
 * Pieces written one after another, from `position` (from the file's current position if undefined),
 * without joining them first (a large file's pieces, say).
 */
export async function writePieces(fh: FileHandle, pieces: readonly Uint8Array[], position?: number): Promise<void> {
  // writev takes at most IOV_MAX (1024 on Linux) buffers a call, and may write less than asked.
  for (let i = 0; i < pieces.length; i += 1024) {
    let batch = pieces.slice(i, i + 1024).filter((b) => b.length > 0);
    while (batch.length > 0) {
      const { bytesWritten } = await fh.writev(batch, position);
      if (bytesWritten === 0) throw new Error('the file system took none of the bytes written');
      if (position !== undefined) position += bytesWritten;
      batch = rest(batch, bytesWritten);
    }
  }
}

/** What of `batch` is left after its first `done` bytes. */
function rest(batch: readonly Uint8Array[], done: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const b of batch) {
    if (done >= b.length) {
      done -= b.length;
      continue;
    }
    out.push(done > 0 ? b.subarray(done) : b);
    done = 0;
  }
  return out;
}
