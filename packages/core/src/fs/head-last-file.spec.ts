import { closeSync, openSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@ovirt-repo/test-support';
import { startHeadLastFile, writePieces } from './head-last-file.js';

describe('startHeadLastFile', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
  afterEach(() => cleanup());

  const pieces = (n: number) => Array.from({ length: n }, (_, i) => Buffer.from(i % 7 === 0 ? '' : `${i},`));
  const text = (n: number) => pieces(n).join('');

  it('writes the body after room for the head, and the head last, more pieces than one writev takes', async () => {
    const target = join(dir, 'snapshot.json');
    const file = startHeadLastFile(target, 6, pieces(2500));
    await file.finish(Buffer.from('{head}'));
    expect(await readFile(target, 'utf8')).toBe(`{head}${text(2500)}`);
  });

  it('copies ranges of another open file into the body, larger than its copy buffer too', async () => {
    const source = join(dir, 'earlier.json');
    const big = Buffer.from(Array.from({ length: 700_000 }, (_, i) => 97 + (i % 26)));
    await writeFile(source, big);
    const fd = openSync(source, 'r');
    try {
      const target = join(dir, 'snapshot.json');
      const file = startHeadLastFile(target, 2, [Buffer.from('<'), { fd, offset: 5, length: 10 }, Buffer.from('|'), { fd, offset: 1000, length: 600_000 }, Buffer.from('>')]);
      await file.finish(Buffer.from('{}'));
      expect((await readFile(target)).equals(Buffer.concat([Buffer.from('{}<'), big.subarray(5, 15), Buffer.from('|'), big.subarray(1000, 601_000), Buffer.from('>')]))).toBe(true);
      // A range past the end of its file fails the write, naming the file written.
      const past = startHeadLastFile(join(dir, 'past.json'), 2, [{ fd, offset: 699_990, length: 20 }]);
      await expect(past.finish(Buffer.from('{}'))).rejects.toMatchObject({ code: 'E_IO', message: expect.stringMatching(/past\.json.*ended 10 bytes early/) });
    } finally {
      closeSync(fd);
    }
  });

  it('refuses a head of another length than announced, naming the file', async () => {
    const target = join(dir, 'snapshot.json');
    const file = startHeadLastFile(target, 6, pieces(10));
    await expect(file.finish(Buffer.from('{longer head}'))).rejects.toMatchObject({ code: 'E_IO', message: expect.stringMatching(/snapshot\.json.*13 bytes, not the 6 announced/) });
    // The caller removes what it started; the file is closed (removable, nothing left open).
    await rm(target);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses to overwrite a file, and leaves it as it was', async () => {
    const target = join(dir, 'snapshot.json');
    await writeFile(target, 'kept');
    const file = startHeadLastFile(target, 4, pieces(10));
    await expect(file.finish(Buffer.from('head'))).rejects.toMatchObject({ code: 'E_IO', message: expect.stringContaining(target) });
    expect(await readFile(target, 'utf8')).toBe('kept');
  });

  it('abort waits for the body and closes the file, whether or not it could be opened', async () => {
    const target = join(dir, 'snapshot.json');
    const file = startHeadLastFile(target, 4, pieces(100));
    await file.abort();
    // The body is all there, after a hole the head was to fill.
    expect((await readFile(target)).subarray(4).toString()).toBe(text(100));
    await expect(startHeadLastFile(join(dir, 'missing', 'x.json'), 4, pieces(3)).abort()).resolves.toBeUndefined();
  });
});

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
