import { createReadClient } from './read-client.js';
import { DEFAULT_MAX_DOCUMENT_BYTES, type ReadUriOptions, type ReadUriResult } from './read-options.js';

export const DEFAULT_TRIES = 3;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_RETRY_DELAY_MS = 250;

/**
 * readUri over http(s): one document, with the one HTTP client (read-client.ts). Each try must be complete
 * within timeoutMs, from connecting to the last byte, so a read takes at most tries × timeoutMs plus the
 * pauses between tries, however slowly a server answers. No minimum rate: the deadline bounds it already.
 */
export async function readHttp(uri: string, options: ReadUriOptions): Promise<ReadUriResult> {
  const client = createReadClient({
    maxSockets: 1,
    idleTimeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    minBytesPerSecond: 0,
    retries: Math.max(1, options.tries ?? DEFAULT_TRIES) - 1,
    backoffMs: options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS,
    ...(options.network ?? { proxy: options.allowProxy ? 'env' : 'none' }),
    ...(options.userAgent ? { userAgent: options.userAgent } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  try {
    const doc = await client.document(new URL(uri), options.maxBytes ?? DEFAULT_MAX_DOCUMENT_BYTES, options.signal ? { signal: options.signal } : {});
    return { data: doc.data, uri: doc.url, ...(doc.contentType ? { contentType: doc.contentType } : {}), attempts: doc.attempts };
  } finally {
    client.close();
  }
}
