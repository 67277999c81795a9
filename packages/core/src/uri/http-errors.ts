import { ErrorCodes, OvirtRepoError, isOvirtRepoError } from '../errors/index.js';
import { redactUrl } from './redact.js';

/**
 * How the one HTTP client (read-client.ts) names what went wrong: every failure of a request is an E_FETCH
 * naming the method and the URL (without credentials), whose data says whether another try may help
 * (`transient`, or an HTTP `status` worth retrying) and whether the server could not be reached.
 */

/** Statuses worth another try: the server (or a cache in front of it) is struggling, not refusing. */
export const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);
/** Certificate problems are configuration errors, never transient, and must never be retried away. */
const TLS_CODES = /^(CERT_|ERR_TLS_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_SSL_|ERR_OSSL_)/;

/** Is this failure worth another try? */
export function isTransient(e: unknown): boolean {
  if (isOvirtRepoError(e)) {
    const status = e.data?.status;
    if (typeof status === 'number') return RETRY_STATUS.has(status);
    return e.data?.transient === true;
  }
  return false;
}

export function fetchError(url: URL, message: string, data: Record<string, unknown>, hint: string, cause?: unknown): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.FETCH, message, { target: redactUrl(url.href), hint, data: { uri: redactUrl(url.href), ...data }, ...(cause ? { cause } : {}) });
}

/** A failure below HTTP (connection, DNS, TLS, a proxy's tunnel, no data in time) of `method` on `url`. */
export function networkError(method: string, url: URL, e: unknown, idleMs: number): OvirtRepoError {
  if (isOvirtRepoError(e)) return e;
  const code = errorCode(e);
  const tls = (code !== undefined && TLS_CODES.test(code)) || /certificate/i.test(innermost(e).message ?? '');
  const proxyHost = findProxyHost(e);
  const proxy = proxyHost !== undefined;
  const why = code === 'ETIMEDOUT' ? `timed out (no data for ${idleMs / 1000} s)` : describe(e, code);
  const reason = proxy && !why.includes(`proxy ${proxyHost}`) ? `proxy ${proxyHost}: ${why}` : why;
  const hint = tls
    ? "the TLS handshake failed: give the server's CA with --ca-cert (yum's sslcacert), and a client certificate with --client-cert/--client-key where the server requires one, rather than disabling verification"
    : proxy
      ? 'check the proxy (--proxy, a proxy= line, or http_proxy/https_proxy), or exempt the host with no_proxy or --no-proxy'
      : 'the server is down or unreachable from here; check the URL, DNS, network and proxy settings';
  // A name that does not resolve is not retried (it will not resolve in a second), but it is unreachable;
  // neither is a proxy's refusal of a tunnel.
  return fetchError(url, `${method} ${redactUrl(url.href)} failed: ${reason}`, { errno: code, transient: !tls && code !== 'EPROXY' && code !== 'ENOTFOUND', unreachable: !tls, ...(tls ? { tls } : {}), ...(proxyHost ? { proxy: proxyHost } : {}) }, hint, e);
}

/** `e` (an E_FETCH) saying how many tries it took, when more than one. */
export function withAttempts(e: unknown, attempts: number): unknown {
  if (!isOvirtRepoError(e) || e.code !== ErrorCodes.FETCH) return e;
  return new OvirtRepoError(e.code, `${e.message} after ${attempts} tries`, {
    ...(e.target ? { target: e.target } : {}),
    ...(e.hint ? { hint: e.hint } : {}),
    data: { ...e.data, attempts },
    cause: e,
  });
}

/** The innermost system error code (ECONNREFUSED, ENOTFOUND, ETIMEDOUT...). */
function errorCode(e: unknown): string | undefined {
  let found: string | undefined;
  for (let cur = e as { code?: unknown; cause?: unknown } | undefined, depth = 0; cur && depth < 8; cur = cur.cause as typeof cur, depth++) {
    if (typeof cur.code === 'string') found = cur.code;
  }
  return found;
}

/** The proxy (host:port) a failure happened at, when it did (transport.ts marks it). */
function findProxyHost(e: unknown): string | undefined {
  for (let cur = e as { proxyHost?: unknown; cause?: unknown } | undefined, depth = 0; cur && depth < 8; cur = cur.cause as typeof cur, depth++) {
    if (typeof cur.proxyHost === 'string') return cur.proxyHost;
  }
  return undefined;
}

function innermost(e: unknown): { message?: string } {
  let inner = e as { message?: string; cause?: unknown };
  for (let depth = 0; depth < 8 && inner.cause && typeof inner.cause === 'object'; depth++) inner = inner.cause as typeof inner;
  return inner;
}

function describe(e: unknown, code: string | undefined): string {
  const text = innermost(e).message ?? String(e);
  return code && !text.includes(code) ? `${code}: ${text}` : text;
}

export function localError(path: string, e: unknown): OvirtRepoError {
  const code = (e as NodeJS.ErrnoException).code;
  return new OvirtRepoError(ErrorCodes.FETCH, `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`, {
    target: path,
    hint: code === 'ENOENT' ? 'the file is missing from the source repo: check the path, or regenerate the repo metadata' : 'check the path and permissions',
    data: { code, errno: code, unreachable: false },
    cause: e,
  });
}
