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
export function startHeadLastFile(path: string, headLength: number, body: readonly Uint8Array[]): HeadLastFile {
  const handle = open(path, 'wx', 0o644);
  const written = handle.then((fh) => writePieces(fh, body, headLength));
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
