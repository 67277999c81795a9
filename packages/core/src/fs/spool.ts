import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ErrorCodes, OvirtRepoError, type ErrorCode } from '../errors/index.js';
import { isPidAlive } from '../lock/process-info.js';

/** A stream read to its end, kept in memory or in a temp file, with its size and digests. */
export interface Spooled {
  size: number;
  /** Hex SHA-256 and MD5 of the bytes (S3 signs the first and answers the second as the ETag). */
  sha256: string;
  md5: string;
  /** The bytes when they fit in memory. */
  bytes?: Buffer;
  /** A new stream of the bytes (each call reads them again). */
  open(): Readable;
  /** Remove the temp file, if any. Safe to call twice. */
  dispose(): Promise<void>;
}

export interface SpoolOptions {
  /** More bytes than this: E_STORE naming `where`, and nothing is kept. */
  maxBytes: number;
  /** Up to this many bytes stay in memory; more go to a temp file. Default 8 MiB. */
  memoryBytes?: number;
  /** For the error: where the bytes were going. */
  where: string;
  /** The error's code: E_STORE (default) writing a store, E_TARGET a publish target. */
  code?: ErrorCode;
  /** Where temp files go (default the system temp directory). */
  dir?: string;
}

/** The temp directories spoolStream makes: `ovirt-repo-spool-<pid>-<random>`. */
const SPOOL_DIR = /^ovirt-repo-spool-(\d+)-/;

/**
 * Read `stream` to its end so its length (and digests) are known before it is sent: S3 needs a
 * Content-Length for a single PUT. Small streams stay in memory; larger ones go to a temp directory of
 * their own, removed by dispose(), or by removeSpoolLeftovers() when the process was killed first. An error
 * of the stream is thrown as it is, leaving nothing.
 */
export async function spoolStream(stream: Readable, options: SpoolOptions): Promise<Spooled> {
  const memoryBytes = options.memoryBytes ?? 8 * 1024 * 1024;
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  const chunks: Buffer[] = [];
  let size = 0;
  let dir: string | undefined;
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  const file = () => join(dir as string, 'data');
  const dispose = async () => {
    await fh?.close().catch(() => undefined);
    fh = undefined;
    if (dir) await rm(dir, { recursive: true, force: true });
  };
  try {
    for await (const c of stream as AsyncIterable<Buffer | string>) {
      const chunk = typeof c === 'string' ? Buffer.from(c) : c;
      size += chunk.length;
      if (size > options.maxBytes) {
        stream.destroy();
        throw new OvirtRepoError(options.code ?? ErrorCodes.STORE, `${options.where}: more than the ${options.maxBytes} bytes one object may hold`, {
          target: options.where,
          hint: `objects this large are not supported ${options.code === ErrorCodes.TARGET ? 'by this target' : 'by this store'}`,
          data: { maxBytes: options.maxBytes },
        });
      }
      sha256.update(chunk);
      md5.update(chunk);
      if (!fh && size <= memoryBytes) {
        chunks.push(chunk);
        continue;
      }
      if (!fh) {
        dir = await mkdtemp(join(options.dir ?? tmpdir(), `ovirt-repo-spool-${process.pid}-`));
        fh = await open(file(), 'wx', 0o600);
        for (const kept of chunks.splice(0)) await fh.write(kept);
      }
      await fh.write(chunk);
    }
    await fh?.close();
    fh = undefined;
  } catch (e) {
    await dispose();
    throw e;
  }
  const bytes = dir ? undefined : Buffer.concat(chunks, size);
  return {
    size,
    sha256: sha256.digest('hex'),
    md5: md5.digest('hex'),
    ...(bytes ? { bytes } : {}),
    open: () => (bytes ? Readable.from([bytes]) : createReadStream(file())),
    dispose,
  };
}

/**
 * Remove the temp directories of spoolStream in `dir` (default the system temp directory) older than
 * `olderThanMs` whose process is gone: what processes killed while spooling left. A live process's are
 * kept whatever their age (a caller's age bound is about its own store, not about other processes
 * spooling on this host). Returns how many.
 */
export async function removeSpoolLeftovers(olderThanMs: number, dir = tmpdir()): Promise<number> {
  let removed = 0;
  const now = Date.now();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const pid = SPOOL_DIR.exec(name)?.[1];
    if (pid === undefined || isPidAlive(Number(pid))) continue;
    const st = await stat(join(dir, name)).catch(() => undefined);
    if (!st || now - st.mtimeMs < olderThanMs) continue;
    await rm(join(dir, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}
