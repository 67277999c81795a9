import { spawn } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describeWithTools } from '@ovirt-repo/test-support';
import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import type { SizeLimit } from '../checksum/size-limit.js';
import { compressBuffer, decompressBuffer, decompressStream, type CompressionKind } from './index.js';
import { MAX_ZSTD_WINDOW } from './zstd-frames.js';
import { zstdFrameOf } from './zstd-frames.spec.helper.js';

const MiB = 1 << 20;
const BOMB = 64 * MiB;

/** `size` spaces streamed through the system compressor: a bomb built without holding it. */
async function bomb(tool: string[], size: number): Promise<Buffer> {
  const [cmd, ...args] = tool;
  const child = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const out: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  const closed = new Promise<number | null>((r) => child.on('close', r));
  const chunk = Buffer.alloc(MiB, 0x20);
  for (let sent = 0; sent < size; sent += MiB) {
    if (!child.stdin.write(chunk)) await new Promise((r) => child.stdin.once('drain', r));
  }
  child.stdin.end();
  expect(await closed).toBe(0);
  return Buffer.concat(out);
}

/** A limit whose error records how far decompressing got. */
function recordingLimit(max: number): SizeLimit & { seen?: number } {
  const limit: SizeLimit & { seen?: number } = {
    max,
    exceeded: (seen) => {
      limit.seen = seen;
      return new OvirtRepoError(ErrorCodes.SIZE_MISMATCH, `over ${max}`);
    },
  };
  return limit;
}

/** Decompresses `data`, returning how many bytes came out before it ended or failed, and the failure. */
async function drain(kind: CompressionKind, data: Buffer, limit?: SizeLimit): Promise<{ out: number; error?: unknown }> {
  let out = 0;
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      out += chunk.length;
      cb();
    },
  });
  try {
    await pipeline(Readable.from([data]), decompressStream(kind, { target: 'bomb', ...(limit ? { limit } : {}) }), sink);
    return { out };
  } catch (error) {
    return { out, error };
  }
}

/** Codec, tool, and how far past the limit it may get: a codec chunk. */
const TOOLS: Array<[CompressionKind, string[]]> = [
  ['gz', ['gzip', '-1', '-c']],
  ['xz', ['xz', '-0', '-T1', '-c']],
  ['zstd', ['zstd', '-q', '-1', '-c']],
];

describeWithTools(['gzip', 'xz', 'zstd', 'bzip2'], 'decompressing bombs of the system compressors', () => {
  it.each(TOOLS)('stops a %s bomb just past the limit', async (kind, tool) => {
    const data = await bomb(tool, BOMB);
    const limit = recordingLimit(MiB);
    const { out, error } = await drain(kind, data, limit);
    expect(error).toMatchObject({ code: 'E_SIZE_MISMATCH', message: `over ${MiB}` });
    expect(limit.seen).toBeGreaterThan(MiB);
    expect(limit.seen).toBeLessThanOrEqual(3 * MiB);
    expect(out).toBeLessThanOrEqual(MiB);
    // Without a limit the same data decompresses whole.
    expect(await drain(kind, data)).toEqual({ out: BOMB });
  });

  it('stops a bzip2 bomb given in one piece within its first block', async () => {
    // bzip2 decodes (in JavaScript, slowly) everything it is given in one write: 2 GiB here, in 21 KiB.
    const stream = await bomb(['bzip2', '-1', '-c'], 8 * MiB);
    expect(await drain('bz2', stream)).toEqual({ out: 8 * MiB });
    const limit = recordingLimit(MiB);
    const started = Date.now();
    const { out, error } = await drain('bz2', Buffer.concat(Array.from({ length: 256 }, () => stream)), limit);
    expect(error).toMatchObject({ code: 'E_SIZE_MISMATCH', message: `over ${MiB}` });
    // One block of a run of spaces is about 5 MiB.
    expect(limit.seen).toBeLessThanOrEqual(MiB + 8 * MiB);
    expect(out).toBeLessThanOrEqual(MiB);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('reads what the zstd tool writes (frames with checksums), with a limit that is not reached', async () => {
    const data = Buffer.concat([await bomb(['zstd', '-q', '-19', '-c'], 4 * MiB), await compressBuffer('zstd', Buffer.alloc(3 * MiB, 0x41))]);
    expect(await drain('zstd', data, recordingLimit(7 * MiB))).toEqual({ out: 7 * MiB });
  });
});

describe('decompressing within a limit', () => {
  it('holds uncompressed data to the limit too', async () => {
    const limit = recordingLimit(1000);
    const { out, error } = await drain('none', Buffer.alloc(5000, 0x20), limit);
    expect(error).toMatchObject({ message: 'over 1000' });
    expect(limit.seen).toBe(5000);
    expect(out).toBe(0);
  });

  it('lets data of exactly the limit through', async () => {
    const data = await compressBuffer('gz', Buffer.alloc(MiB, 0x20));
    expect(await drain('gz', data, recordingLimit(MiB))).toEqual({ out: MiB });
    expect((await decompressBuffer('gz', data, { limit: recordingLimit(MiB) })).length).toBe(MiB);
  });

  it('holds whole-buffer gzip decompression to the limit', async () => {
    const data = await compressBuffer('gz', Buffer.alloc(8 * MiB, 0x20));
    const limit = recordingLimit(MiB);
    await expect(decompressBuffer('gz', data, { limit })).rejects.toMatchObject({ message: `over ${MiB}` });
    expect(limit.seen).toBe(MiB + 1);
  });
});

describe('zstd frames asking for a large window', () => {
  it('refuses a frame whose window is over 128 MiB before decoding it', async () => {
    // A 2 GiB window and 64 blocks of 128 KiB: fzstd alone allocates 2 GiB and moves it for every block.
    const frame = zstdFrameOf({ windowDescriptor: (21 << 3) | 0, rleBlocks: 64 });
    const started = Date.now();
    const { out, error } = await drain('zstd', frame, recordingLimit(1 << 30));
    expect(error).toMatchObject({
      code: 'E_COMPRESSION',
      message: `bomb is zstd data that needs a ${2 ** 31}-byte window to decompress, more than the ${MAX_ZSTD_WINDOW} bytes zstd (and dnf) allow by default`,
      data: { window: 2 ** 31 },
    });
    expect(out).toBe(0);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses it after earlier frames, and in a single-segment frame (window = content size)', async () => {
    const fine = zstdFrameOf({ windowDescriptor: 7 << 3, rleBlocks: 1 });
    const large = zstdFrameOf({ singleSegmentSize: 2 ** 32, rleBlocks: 1 });
    const { error } = await drain('zstd', Buffer.concat([fine, fine, large]));
    expect(error).toMatchObject({ code: 'E_COMPRESSION', data: { window: 2 ** 32 } });
  });

  it('follows skippable frames, checksums and frames of the largest allowed window', async () => {
    const skippable = Buffer.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
    const checked = zstdFrameOf({ windowDescriptor: 17 << 3, rleBlocks: 2, checksum: true });
    const { out, error } = await drain('zstd', Buffer.concat([skippable, checked, zstdFrameOf({ windowDescriptor: 7 << 3, rleBlocks: 1 })]));
    expect(error).toBeUndefined();
    expect(out).toBe(3 * 128 * 1024);
  });
});
