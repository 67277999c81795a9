import type { FileHandle } from 'node:fs/promises';
import { writePieces } from './write-pieces.js';

describe('writePieces', () => {
  /** A file handle whose writev takes at most `most` bytes a call, as a real one may. */
  function stingyHandle(most: number) {
    const bytes: number[] = [];
    let calls = 0;
    const fh = {
      async writev(buffers: Uint8Array[], position?: number) {
        calls++;
        const all = Buffer.concat(buffers).subarray(0, most);
        let at = position ?? bytes.length;
        for (const b of all) bytes[at++] = b;
        return { bytesWritten: all.length, buffers };
      },
    };
    return { fh: fh as unknown as FileHandle, text: () => Buffer.from(Array.from(bytes, (b) => b ?? 0x20)).toString(), calls: () => calls };
  }

  it('writes what a short write left, from where it stopped', async () => {
    const h = stingyHandle(5);
    await writePieces(h.fh, [Buffer.from('abc'), Buffer.from(''), Buffer.from('defghij'), Buffer.from('klmnopq')], 3);
    expect(h.text()).toBe('   abcdefghijklmnopq');
    expect(h.calls()).toBe(4);
    const appended = stingyHandle(4);
    await writePieces(appended.fh, [Buffer.from('0123456789')]);
    expect(appended.text()).toBe('0123456789');
  });

  it('fails instead of looping when nothing is taken', async () => {
    await expect(writePieces(stingyHandle(0).fh, [Buffer.from('x')], 0)).rejects.toThrow('took none of the bytes');
  });
});
