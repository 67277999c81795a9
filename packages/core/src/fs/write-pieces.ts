import type { FileHandle } from 'node:fs/promises';

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
