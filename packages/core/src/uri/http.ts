import { setTimeout as sleep } from 'node:timers/promises';
import type * as Undici from 'undici';
import type { Agent, Dispatcher } from 'undici';
import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { DEFAULT_MAX_DOCUMENT_BYTES, type ReadUriOptions, type ReadUriResult } from './read-options.js';
import { defaultUserAgent } from './user-agent.js';

export const DEFAULT_TRIES = 3;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_RETRY_DELAY_MS = 250;

/** Statuses worth another try: the server (or a cache in front of it) is struggling, not refusing. */
const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** Certificate problems are configuration errors, never transient, and must never be retried away. */
const TLS_CODES = /^(CERT_|ERR_TLS_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_SSL_)/;

const agents = new Map<number, Agent>();

/**
 * undici is loaded on the first HTTP request, not at start-up: every command imports core, most never
 * touch the network, and loading undici costs a CLI start about 90 ms.
 */
let undiciModule: Promise<typeof Undici> | undefined;
const undici = () => (undiciModule ??= import('undici'));

/**
 * One pooled agent per timeout. It never uses a proxy, whatever the environment says: CI proxies cache
 * aggressively and would serve stale maps and metadata. TLS verification is forced on even when
 * NODE_TLS_REJECT_UNAUTHORIZED=0 is set (an explicit option overrides that default).
 */
async function directAgent(timeoutMs: number): Promise<Agent> {
  let agent = agents.get(timeoutMs);
  if (!agent) {
    const { Agent } = await undici();
    agent = new Agent({ headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connect: { timeout: timeoutMs, rejectUnauthorized: true } });
    agents.set(timeoutMs, agent);
  }
  return agent;
}

interface Attempt {
  result?: ReadUriResult;
  /** Why this attempt failed, and whether another try may help. */
  failure?: { message: string; status?: number; errno?: string; retry: boolean; unreachable: boolean };
}

export async function readHttp(uri: string, options: ReadUriOptions): Promise<ReadUriResult> {
  const tries = Math.max(1, options.tries ?? DEFAULT_TRIES);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const delay = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
  const { EnvHttpProxyAgent } = await undici();
  // Honouring http_proxy/no_proxy needs the environment as it is now, so that agent is per call.
  const proxyAgent = options.allowProxy
    ? new EnvHttpProxyAgent({
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        connect: { timeout: timeoutMs, rejectUnauthorized: true },
        requestTls: { rejectUnauthorized: true },
        proxyTls: { rejectUnauthorized: true },
      })
    : undefined;
  const dispatcher: Dispatcher = proxyAgent ?? (await directAgent(timeoutMs));
  try {
    for (let attempt = 1; attempt <= tries; attempt++) {
      const { result, failure } = await attemptOnce(uri, dispatcher, options, timeoutMs);
      if (result) return { ...result, attempts: attempt };
      if (!failure || !failure.retry || attempt === tries) {
        throw fetchError(uri, failure ?? { message: 'no response', retry: false, unreachable: false }, attempt);
      }
      options.logger?.debug(`${uri}: ${failure.message}; retrying (${attempt}/${tries})`);
      await sleep(delay * 2 ** (attempt - 1), undefined, { signal: options.signal });
    }
    throw new OvirtRepoError(ErrorCodes.INTERNAL, `unreachable retry loop end for ${uri}`);
  } finally {
    await proxyAgent?.close();
  }
}

/** Redirects followed per try, as the ReadClient does. */
const MAX_REDIRECTS = 5;

async function attemptOnce(uri: string, dispatcher: Dispatcher, options: ReadUriOptions, timeoutMs: number): Promise<Attempt> {
  // The whole try (connect, headers, every byte of the body) within timeoutMs: undici's own timeouts only
  // bound the gaps, and a server that trickles a byte every few seconds never leaves one that long.
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  try {
    const { fetch } = await undici();
    let url = uri;
    for (let redirects = 0; ; redirects++) {
      const response = await fetch(url, {
        dispatcher,
        redirect: 'manual',
        signal,
        headers: { 'user-agent': options.userAgent ?? defaultUserAgent(), accept: '*/*' },
      });
      const location = response.status >= 300 && response.status < 400 ? response.headers.get('location') : null;
      if (location !== null) {
        await response.body?.cancel().catch(() => undefined);
        const next = redirectTarget(url, location, redirects);
        if (typeof next !== 'string') return next;
        url = next;
        continue;
      }
      if (response.status !== 200) {
        // Drain so the connection goes back to the pool.
        await response.body?.cancel().catch(() => undefined);
        const retry = RETRY_STATUS.has(response.status);
        return {
          failure: {
            message: `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
            status: response.status,
            retry,
            unreachable: retry,
          },
        };
      }
      const data = await readBody(response, uri, options.maxBytes ?? DEFAULT_MAX_DOCUMENT_BYTES);
      const contentType = response.headers.get('content-type') ?? undefined;
      return { result: { data, uri: url, contentType, attempts: 1 } };
    }
  } catch (e) {
    if (e instanceof OvirtRepoError) throw e;
    if (options.signal?.aborted) throw e;
    if (deadline.aborted) {
      return { failure: { message: `timed out: not complete within ${timeoutMs / 1000} s (the limit of each try)`, retry: true, unreachable: true } };
    }
    const errno = errorCode(e);
    const tls = errno !== undefined && TLS_CODES.test(errno);
    const message = describeNetworkError(e, errno);
    return { failure: { message, errno, retry: !tls, unreachable: !tls } };
  }
}

/** Where a redirect leads: http(s) only, so that a server never makes a remote document a local file. */
function redirectTarget(from: string, location: string, redirects: number): string | Attempt {
  const refuse = (message: string): Attempt => ({ failure: { message, retry: false, unreachable: false } });
  if (redirects >= MAX_REDIRECTS) return refuse(`more than ${MAX_REDIRECTS} redirects`);
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    return refuse('bad redirect location');
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') return refuse(`refusing redirect to ${next.protocol} (a server may only redirect to http(s) URLs)`);
  return next.href;
}

async function readBody(response: Response | Awaited<ReturnType<typeof fetch>>, uri: string, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  if (!response.body) return Buffer.alloc(0);
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      await response.body.cancel().catch(() => undefined);
      throw new OvirtRepoError(ErrorCodes.FETCH, `${uri} is larger than the ${maxBytes} bytes allowed`, {
        target: uri,
        hint: 'check that the URL names the intended document',
        data: { uri, maxBytes, unreachable: false },
      });
    }
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(chunks, size);
}

/** The innermost system or undici error code (ECONNREFUSED, ENOTFOUND, UND_ERR_HEADERS_TIMEOUT...). */
function errorCode(e: unknown): string | undefined {
  let found: string | undefined;
  for (let cur = e as { code?: unknown; cause?: unknown } | undefined, depth = 0; cur && depth < 8; cur = cur.cause as typeof cur, depth++) {
    if (typeof cur.code === 'string') found = cur.code;
  }
  return found;
}

function describeNetworkError(e: unknown, errno: string | undefined): string {
  let inner = e as { message?: string; cause?: unknown };
  for (let depth = 0; depth < 8 && inner.cause && typeof inner.cause === 'object'; depth++) inner = inner.cause as typeof inner;
  const text = inner.message ?? String(e);
  if (errno === 'UND_ERR_CONNECT_TIMEOUT' || errno === 'UND_ERR_HEADERS_TIMEOUT' || errno === 'UND_ERR_BODY_TIMEOUT') {
    return `timed out (${errno})`;
  }
  return errno && !text.includes(errno) ? `${errno}: ${text}` : text;
}

function fetchError(uri: string, failure: NonNullable<Attempt['failure']>, attempts: number): OvirtRepoError {
  const tries = attempts > 1 ? ` after ${attempts} tries` : '';
  const hint = failure.unreachable
    ? 'the server is down or unreachable from here; check the URL, DNS and network (proxies are not used unless allowed)'
    : failure.status === 404
      ? 'nothing is served at this URL; check the path'
      : failure.errno && TLS_CODES.test(failure.errno)
        ? 'the server certificate does not verify; fix the certificate or add its CA with NODE_EXTRA_CA_CERTS'
        : 'check the URL and the server configuration';
  return new OvirtRepoError(ErrorCodes.FETCH, `GET ${uri} failed: ${failure.message}${tries}`, {
    target: uri,
    hint,
    data: { uri, status: failure.status, errno: failure.errno, attempts, unreachable: failure.unreachable },
  });
}
