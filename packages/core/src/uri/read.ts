import { readFile } from 'node:fs/promises';
import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import type { Logger } from '../log/logger.js';
import { parseDataUrl } from './data-url.js';
import { readHttp } from './http.js';
import { READABLE_SCHEMES, displayUri, uriKind } from './kind.js';
import { fileUrlOf, localPathOf } from './resolve.js';

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
  /** Default `ovirt-repo/<version>`. */
  userAgent?: string;
  /** Refuse bodies larger than this (a wrong URL serving a huge file should not fill memory). */
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

/**
 * Read a whole document from an http(s) URL, a file:// URL, a plain path or a data: URL. Over http(s),
 * redirects are followed (at most 5), and only to http(s) URLs: a server never makes this read a local file.
 *
 * Failures are OvirtRepoError E_FETCH naming the URI, with `data.unreachable` true when the source could
 * not be reached at all (connection refused, DNS failure, timeout, 408/429/5xx after every try): callers
 * such as inject treat that as "no data today" rather than as a mistake. Anything else (404, 403, a
 * certificate that does not verify, a missing local file) is `unreachable: false`: it needs fixing.
 */
export async function readUri(uri: string, options: ReadUriOptions = {}): Promise<ReadUriResult> {
  const kind = uriKind(uri);
  switch (kind) {
    case 'http':
      return readHttp(uri, options);
    case 'data': {
      const parsed = parseDataUrl(uri);
      return { data: parsed.data, uri, contentType: parsed.mediaType, attempts: 1 };
    }
    case 'file':
    case 'path': {
      const path = localPathOf(uri);
      try {
        const data = await readFile(path);
        if (options.maxBytes !== undefined && data.length > options.maxBytes) {
          throw new OvirtRepoError(ErrorCodes.FETCH, `${path} is larger than the ${options.maxBytes} bytes allowed`, {
            target: path,
            data: { uri, maxBytes: options.maxBytes, unreachable: false },
          });
        }
        return { data, uri: kind === 'file' ? uri : path, attempts: 1 };
      } catch (e) {
        if (e instanceof OvirtRepoError) throw e;
        const errno = (e as NodeJS.ErrnoException).code;
        throw new OvirtRepoError(ErrorCodes.FETCH, `cannot read ${path}: ${errno ?? (e as Error).message}`, {
          target: kind === 'file' ? uri : path,
          hint: errno === 'ENOENT' ? 'check the path (relative paths are taken from the working directory)' : 'check the file and its permissions',
          cause: e,
          data: { uri: kind === 'file' ? uri : fileUrlOf(path), errno, unreachable: false },
        });
      }
    }
    default:
      throw new OvirtRepoError(ErrorCodes.UNKNOWN_SCHEME, `cannot read ${displayUri(uri)}: unsupported URI scheme`, {
        target: displayUri(uri),
        hint: `use one of ${READABLE_SCHEMES.map((s) => `${s}:`).join(', ')} or a plain path`,
      });
  }
}

/** True for the E_FETCH errors readUri raises when the source could not be reached at all. */
export function isUnreachableError(e: unknown): e is OvirtRepoError {
  return e instanceof OvirtRepoError && e.code === ErrorCodes.FETCH && e.data?.unreachable === true;
}
