import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import {
  ErrorCodes,
  HashingStream,
  OvirtRepoError,
  copyFileVerified,
  createReadClient,
  localPathOf,
  redactUrl,
  uriKind,
  verifyContent,
  type ReadClient,
  type ChecksumType,
  type DigestWithSize,
  type ExpectedContent,
  type Logger,
} from '@ovirt-repo/core';

export interface DownloadOptions {
  logger?: Logger;
  /** Attempts for HTTP (network errors, timeouts, 408/429/5xx are retried). Default 3. */
  tries?: number;
  timeoutMs?: number;
}

// One client per timeout, kept for the process: its keep-alive connections serve every package of a
// publish (idle sockets do not keep the process alive).
const clients = new Map<string, ReadClient>();

function clientFor(options: DownloadOptions): ReadClient {
  const tries = Math.max(1, options.tries ?? 3);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const key = `${tries}/${timeoutMs}`;
  let client = clients.get(key);
  if (!client) {
    client = createReadClient({ retries: tries - 1, idleTimeoutMs: timeoutMs, backoffMs: 250 });
    clients.set(key, client);
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
