import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { readRegularFile } from '../fs/regular-file.js';
import { parseDataUrl } from './data-url.js';
import { readHttp } from './http.js';
import { READABLE_SCHEMES, displayUri, uriKind } from './kind.js';
import { DEFAULT_MAX_DOCUMENT_BYTES, type ReadUriOptions, type ReadUriResult } from './read-options.js';
import { fileUrlOf, localPathOf } from './resolve.js';

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
      const target = kind === 'file' ? uri : path;
      const maxBytes = options.maxBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
      const limit = {
        max: maxBytes,
        exceeded: () =>
          new OvirtRepoError(ErrorCodes.FETCH, `${path} is larger than the ${maxBytes} bytes allowed`, {
            target,
            hint: 'check that the path names the intended document',
            data: { uri, maxBytes, unreachable: false },
          }),
      };
      try {
        return { data: await readRegularFile(path, limit), uri: target, attempts: 1 };
      } catch (e) {
        if (e instanceof OvirtRepoError) throw e.code === ErrorCodes.IO ? new OvirtRepoError(ErrorCodes.FETCH, e.message, { target, ...(e.hint ? { hint: e.hint } : {}), cause: e, data: { uri, unreachable: false } }) : e;
        const errno = (e as NodeJS.ErrnoException).code;
        throw new OvirtRepoError(ErrorCodes.FETCH, `cannot read ${path}: ${errno ?? (e as Error).message}`, {
          target,
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
