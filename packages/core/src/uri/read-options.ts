import type { Logger } from '../log/logger.js';
import type { ClientNetwork } from './network.js';

/** The most a document read whole (a map, a lock, a config) may have unless the caller says otherwise. */
export const DEFAULT_MAX_DOCUMENT_BYTES = 256 << 20;

export interface ReadUriOptions {
  /** HTTP attempts in all (default 3); network errors, timeouts, 408, 429 and 5xx are retried. */
  tries?: number;
  /**
   * Each attempt, from connecting to the last byte of the body, must end within this (default 30 000 ms),
   * so a read takes at most tries × timeoutMs plus the pauses between tries, however slowly a server answers.
   */
  timeoutMs?: number;
  /** First pause between tries; it doubles each time (default 250 ms). */
  retryDelayMs?: number;
  /** Use http_proxy/https_proxy/no_proxy from the environment. Off by default: CI proxies serve stale data. */
  allowProxy?: boolean;
  /** Proxy and TLS material (see clientNetwork), for a caller that reads an upstream; replaces allowProxy. */
  network?: ClientNetwork;
  /** Default `ovirt-repo/<version>`. */
  userAgent?: string;
  /**
   * Refuse documents larger than this (a wrong URL serving a huge file, or /dev/zero, should not fill
   * memory). Default DEFAULT_MAX_DOCUMENT_BYTES.
   */
  maxBytes?: number;
  signal?: AbortSignal;
  /** Receives debug lines about retries. */
  logger?: Logger;
}

export interface ReadUriResult {
  data: Buffer;
  /**
   * Where the data actually came from: the final URL after redirects, a file:// URL as given, the absolute
   * path for a plain path, the data: URL itself. Resolve relative references against this.
   */
  uri: string;
  contentType?: string;
  /** HTTP attempts used (1 for local sources). */
  attempts: number;
}
