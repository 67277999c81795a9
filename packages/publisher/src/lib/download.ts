import { constants, createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  ErrorCodes,
  HashingStream,
  OvirtRepoError,
  copyFileVerified,
  createReadClient,
  isOvirtRepoError,
  localPathOf,
  redactUrl,
  uriKind,
  verifyContent,
  type ReadClient,
  type ChecksumType,
  type ClientNetwork,
  type DigestWithSize,
  type ExpectedContent,
  type Logger,
} from '@ovirt-repo/core';

export interface DownloadOptions {
  logger?: Logger;
  /** Attempts for HTTP (network errors, timeouts, 408/429/5xx are retried). Default 3. */
  tries?: number;
  timeoutMs?: number;
  /** Proxy and TLS material for http(s) sources (see core's clientNetwork). Default: no proxy, the system's CAs. */
  network?: ClientNetwork;
}

// One client per network setting and timeout, kept for the process: its keep-alive connections serve every
// package of a publish (idle sockets do not keep the process alive).
const clients = new Map<ClientNetwork | undefined, Map<string, ReadClient>>();

function clientFor(options: DownloadOptions): ReadClient {
  const tries = Math.max(1, options.tries ?? 3);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const key = `${tries}/${timeoutMs}`;
  const byTimeout = clients.get(options.network) ?? new Map<string, ReadClient>();
  clients.set(options.network, byTimeout);
  let client = byTimeout.get(key);
  if (!client) {
    client = createReadClient({ retries: tries - 1, idleTimeoutMs: timeoutMs, backoffMs: 250, ...options.network });
    byTimeout.set(key, client);
  }
  return client;
}

/**
 * Copy the file at `uri` (http(s), file:// or a path) to the local file `dest`, hashing it on the way, and
 * fail (removing `dest`) unless it has the expected size and checksum. Streams: memory does not grow with
 * the file. HTTP goes through core's ReadClient (keep-alive, redirects, TLS always verified, transient
 * failures retried). Errors: E_FETCH (unreachable, HTTP status), E_CHECKSUM_MISMATCH / E_SIZE_MISMATCH, E_IO.
 */
export async function downloadVerified(uri: string, dest: string, expected: ExpectedContent, options: DownloadOptions = {}): Promise<DigestWithSize> {
  const type: ChecksumType = expected.checksum?.type ?? 'sha256';
  const kind = uriKind(uri);
  if (kind === 'file' || kind === 'path') return copyFileVerified(localPathOf(uri), dest, expected, type);
  if (kind !== 'http') {
    throw new OvirtRepoError(ErrorCodes.USAGE, `Cannot read ${uri}: unsupported scheme`, { target: uri, hint: 'Sources are http(s):// or file:// URLs or local paths.' });
  }
  const client = clientFor(options);
  const url = new URL(uri);
  return client.withRetries(redactUrl(uri), async () => {
    const { stream } = await client.open(url);
    const hashing = new HashingStream(type);
    try {
      await pipeline(stream, hashing, createWriteStream(dest));
    } catch (e) {
      await rm(dest, { force: true });
      if (e instanceof OvirtRepoError) throw e;
      throw new OvirtRepoError(ErrorCodes.FETCH, `Download failed for ${redactUrl(uri)}: ${(e as Error).message}`, {
        target: redactUrl(uri),
        hint: 'The connection broke while reading; check the network, then publish again.',
        data: { transient: true },
        cause: e,
      });
    }
    const actual = hashing.result();
    try {
      verifyContent(uri, expected, actual);
    } catch (e) {
      await rm(dest, { force: true });
      throw e;
    }
    return actual;
  });
}

/** The start of a document: up to its first line end, or its first `maxBytes` bytes. */
export interface FirstLine {
  /** The first line without its line end (or the bytes read, when no line end came within maxBytes). */
  line: Buffer;
  /** A line end was found: `line` is the whole first line. */
  ended: boolean;
}

/**
 * Read the first line of the document at `uri` (http(s), file:// or a path) and no more, never more than
 * `maxBytes`: for a document whose head is all that is needed (snapshot.json). undefined when there is no
 * such document (HTTP 404, no such file). Anything but a regular file is refused with E_IO.
 */
export async function readFirstLine(uri: string, maxBytes: number, options: DownloadOptions = {}): Promise<FirstLine | undefined> {
  const kind = uriKind(uri);
  if (kind === 'file' || kind === 'path') return readLocalFirstLine(localPathOf(uri), maxBytes);
  if (kind !== 'http') {
    throw new OvirtRepoError(ErrorCodes.USAGE, `Cannot read ${uri}: unsupported scheme`, { target: uri, hint: 'Sources are http(s):// or file:// URLs or local paths.' });
  }
  const client = clientFor(options);
  return client.withRetries(redactUrl(uri), async () => {
    let stream: Readable;
    try {
      ({ stream } = await client.open(new URL(uri)));
    } catch (e) {
      if (isOvirtRepoError(e) && e.data?.status === 404) return undefined;
      throw e;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const end = chunk.indexOf(0x0a);
        const part = end >= 0 ? chunk.subarray(0, end) : chunk;
        chunks.push(part);
        total += part.length;
        if (end >= 0 || total >= maxBytes) return { line: Buffer.concat(chunks).subarray(0, maxBytes), ended: end >= 0 && total <= maxBytes };
      }
    } catch (e) {
      if (isOvirtRepoError(e)) throw e;
      throw new OvirtRepoError(ErrorCodes.FETCH, `Download failed for ${redactUrl(uri)}: ${(e as Error).message}`, { target: redactUrl(uri), hint: 'The connection broke while reading; check the network, then publish again.', data: { transient: true }, cause: e });
    } finally {
      stream.destroy();
    }
    return { line: Buffer.concat(chunks), ended: false };
  });
}

async function readLocalFirstLine(path: string, maxBytes: number): Promise<FirstLine | undefined> {
  let fh;
  try {
    // O_NONBLOCK: a FIFO put where a file should be must not hang the open.
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new OvirtRepoError(ErrorCodes.IO, `Cannot read ${path}: ${code ?? (e as Error).message}`, { target: path, hint: 'Check the file and its permissions.', cause: e });
  }
  try {
    if (!(await fh.stat()).isFile()) {
      throw new OvirtRepoError(ErrorCodes.IO, `${path} is not a regular file`, { target: path, hint: 'Replace it with the file it should be, or remove it.' });
    }
    const buffer = Buffer.alloc(maxBytes);
    const { bytesRead } = await fh.read(buffer, 0, maxBytes, 0);
    const end = buffer.subarray(0, bytesRead).indexOf(0x0a);
    return end >= 0 ? { line: buffer.subarray(0, end), ended: true } : { line: buffer.subarray(0, bytesRead), ended: false };
  } finally {
    await fh.close();
  }
}
