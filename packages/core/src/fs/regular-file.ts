import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { ByteCounter, type SizeLimit } from '../checksum/size-limit.js';
import { ErrorCodes, OvirtRepoError } from '../errors/index.js';

/**
 * Opens a file that must be a regular file (a symlink to one is fine) for reading. A device, FIFO, socket
 * or directory is refused with E_IO naming `display`: /dev/zero never ends and a FIFO may block forever.
 * The check is made on the opened descriptor (no window between a check and the open), and the open
 * itself does not wait for a FIFO's writer. Errors of the open itself (ENOENT...) are thrown as they are.
 */
export async function openRegularFile(path: string, display = path): Promise<FileHandle> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  let st: Stats;
  try {
    st = await fh.stat();
  } catch (e) {
    await fh.close();
    throw e;
  }
  if (!st.isFile()) {
    await fh.close();
    throw new OvirtRepoError(ErrorCodes.IO, `${display} is a ${fileKind(st)}, not a regular file`, {
      target: display,
      hint: 'repository files must be regular files (or symlinks to them): reading a device, FIFO or socket may never end, so it is refused',
      data: { kind: fileKind(st) },
    });
  }
  return fh;
}

/** The whole of a regular file (see openRegularFile), failing with `limit`'s error past `limit.max` bytes. */
export async function readRegularFile(path: string, limit: SizeLimit, display = path): Promise<Buffer> {
  const fh = await openRegularFile(path, display);
  try {
    const { size } = await fh.stat();
    if (size > limit.max) throw limit.exceeded(size);
    const counter = new ByteCounter(limit);
    const chunks: Buffer[] = [];
    // Read to the end, not to the size stat gave: the file may grow meanwhile, up to the limit. The first
    // read asks for one byte more than stat gave, so a file that did not grow takes one read and one more.
    for (let want = size + 1; ; want = 64 * 1024) {
      const chunk = Buffer.allocUnsafe(want);
      const { bytesRead } = await fh.read(chunk, 0, want, null);
      if (bytesRead === 0) break;
      counter.add(bytesRead);
      chunks.push(chunk.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, counter.bytes);
  } finally {
    await fh.close();
  }
}

function fileKind(st: Stats): string {
  if (st.isDirectory()) return 'directory';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  if (st.isFIFO()) return 'FIFO';
  if (st.isSocket()) return 'socket';
  return 'special file';
}
