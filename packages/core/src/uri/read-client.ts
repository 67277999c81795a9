import { createReadStream } from 'node:fs';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { isOvirtRepoError, type OvirtRepoError } from '../errors/index.js';
import { readRegularFile } from '../fs/regular-file.js';
import type { Logger } from '../log/logger.js';
import { fetchError, isTransient, localError, networkError as networkFailure, RETRY_STATUS, withAttempts } from './http-errors.js';
import { withMinRate } from './min-rate.js';
import type { ProxyPolicy, TlsMaterial } from './network.js';
import { redactUrl } from './redact.js';
import { createTransport } from './transport.js';
import { defaultUserAgent } from './user-agent.js';

/**
 * The one HTTP client of ovirt-repo (Node's http and https, see transport.ts), for everything read over http(s):// and file://: mirror sync
 * and publish read repos with it (small metadata files into memory, packages as streams), readUri reads
 * single documents (maps, locks) with it. One client keeps connections alive and bounds them per host.
 * TLS certificates are always verified (Node's CA store plus NODE_EXTRA_CA_CERTS, or the `tls.ca` given), even
 * under NODE_TLS_REJECT_UNAUTHORIZED=0; only `tls.verify: false` (a yum section's sslverify=0) turns it off. Redirects are followed (at most 5), only to http(s): a server never makes
 * the client read a local file. Every transfer is bounded in time: an idle timeout, a minimum rate, and
 * for a document read whole a deadline on the whole try.
 */
export interface ReadClientOptions {
  /** Parallel connections per host. Default 16. */
  maxSockets?: number;
  /**
   * Abort when no byte arrives for this long; also the window of the minimum rate, and the deadline of a
   * whole document read (read()). Default 60 s.
   */
  idleTimeoutMs?: number;
  /**
   * Abort (as a transient failure) a transfer that brings fewer bytes than this per second over a whole
   * `idleTimeoutMs`, as dnf's `minrate` does over its `timeout`. Default 1000; 0: no minimum.
   */
  minBytesPerSecond?: number;
  /** Retries of transient failures (network errors, timeouts, 408/429/5xx): `retries + 1` attempts in all. Default 3. */
  retries?: number;
  /** First backoff delay; doubles per retry, with jitter. Default 500 ms. */
  backoffMs?: number;
  /**
   * `env`: use http_proxy/https_proxy/no_proxy from the environment; a URL: that proxy, except for the hosts
   * no_proxy names. Default `none` (inject's maps and locks: CI proxies cache aggressively and would serve
   * stale ones); mirror sync and publish sources choose `env` (see clientNetwork).
   */
  proxy?: ProxyPolicy;
  /** The CA, client certificate and key for https servers (see clientNetwork); default the system's CAs. */
  tls?: TlsMaterial;
  userAgent?: string;
  /** Receives debug lines about retries. */
  logger?: Logger;
}

export interface OpenedResource {
  stream: Readable;
  /** Content-Length / file size when known. */
  size?: number;
  /** The final URL after redirects. */
  url: string;
  contentType?: string;
}

export interface ReadRequestOptions {
  /** Aborting it ends the request (and the stream of an opened resource) at once; it is not retried. */
  signal?: AbortSignal;
  /** This call's retries instead of the client's (a mirror of a list gets one try: the next mirror is the retry). */
  retries?: number;
}

/** A document read whole (see ReadClient.document). */
export interface ReadDocument {
  data: Buffer;
  /** The final URL after redirects (resolve relative references against it). */
  url: string;
  contentType?: string;
  /** Tries it took. */
  attempts: number;
}

/**
 * One request of an HTTP API that writes (S3): any method, a body of known length, the caller's headers (it
 * signs them). Not retried and no redirect followed: the caller reads the status and decides, and retries
 * with withRetries only what is safe to repeat.
 */
export interface SendRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  headers: Record<string, string>;
  /**
   * Bytes, or a stream of exactly the content-length header's bytes, sent under the client's minimum rate.
   * An error of the stream is thrown as it is.
   */
  body?: Uint8Array | Readable;
  /** Aborting it ends the request, its upload and its response body. */
  signal?: AbortSignal;
}

export interface SentResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The response body, under the client's idle timeout and minimum rate. The caller consumes or destroys it. */
  body: Readable;
}

export interface ReadClient {
  /** Open a resource for streaming. Not retried (the caller retries the whole transfer). */
  open(url: URL, options?: Pick<ReadRequestOptions, 'signal'>): Promise<OpenedResource>;
  /** Read a (small) resource into memory, with retries; each try within the idle timeout as a whole. */
  read(url: URL, maxBytes?: number, options?: ReadRequestOptions): Promise<Buffer>;
  /** read(), with where the document came from after redirects, its content type and the tries it took. */
  document(url: URL, maxBytes?: number, options?: ReadRequestOptions): Promise<ReadDocument>;
  /** Send one request of any method (see SendRequest): what an S3 client builds on. */
  send(url: URL, request: SendRequest): Promise<SentResponse>;
  /** Run `attempt` with the client's retry policy (for streamed transfers that must restart from zero). */
  withRetries<T>(what: string, attempt: () => Promise<T>, options?: ReadRequestOptions): Promise<T>;
  /** Number of HTTP requests made (for tests and the no-change promise). */
  readonly requests: number;
  close(): void;
}

const MAX_REDIRECTS = 5;

export { isTransient };

export function createReadClient(options: ReadClientOptions = {}): ReadClient {
  const maxSockets = options.maxSockets ?? 16;
  const idle = options.idleTimeoutMs ?? 60_000;
  const minRate = options.minBytesPerSecond ?? 1000;
  const retries = options.retries ?? 3;
  const backoff = options.backoffMs ?? 500;
  const userAgent = options.userAgent ?? defaultUserAgent();
  let requests = 0;
  const transport = createTransport({ maxSockets, idleMs: idle, proxy: options.proxy ?? 'none', ...(options.tls ? { tls: options.tls } : {}) });

  const abortError = (method: string, url: URL) => fetchError(url, `${method} ${redactUrl(url.href)} aborted`, { aborted: true, unreachable: false }, 'the request was no longer needed');
  const networkError = (method: string, url: URL, e: unknown) => networkFailure(method, url, e, idle);
  const watched = (body: Readable, url: URL, method = 'GET') => withMinRate(body, { method, url, idleMs: idle, minBytesPerSecond: minRate });

  /** One GET, redirects followed: the response of status 200, or an E_FETCH saying what went wrong. */
  async function get(start: URL, signal: AbortSignal | undefined): Promise<{ res: IncomingMessage; url: URL }> {
    let url = start;
    for (let redirects = 0; ; redirects++) {
      if (signal?.aborted) throw reasonOf(signal, 'GET', url);
      requests++;
      let res: IncomingMessage;
      try {
        res = await transport.request(url, { method: 'GET', ...(signal ? { signal } : {}), headers: { 'user-agent': userAgent, accept: '*/*' } });
      } catch (e) {
        throw signal?.aborted ? reasonOf(signal, 'GET', url) : networkError('GET', url, e);
      }
      const status = res.statusCode ?? 0;
      const location = status >= 300 && status < 400 ? res.headers.location : undefined;
      // The body of a redirect or a failure is not read: a hostile server could make it endless.
      if (location !== undefined) {
        res.destroy();
        url = redirectTarget(url, location, redirects);
        continue;
      }
      if (status !== 200) {
        res.destroy();
        throw statusError(url, status);
      }
      return { res, url };
    }
  }

  function reasonOf(signal: AbortSignal, method: string, url: URL): OvirtRepoError {
    // A deadline aborts with its own (transient) error as the reason; the caller's abort is final.
    return isOvirtRepoError(signal.reason) ? signal.reason : abortError(method, url);
  }

  function redirectTarget(from: URL, location: string, redirects: number): URL {
    const refuse = (why: string, hint = 'fix the server configuration') => fetchError(from, `GET ${redactUrl(from.href)} failed: ${why}`, { unreachable: false }, hint);
    if (redirects >= MAX_REDIRECTS) throw refuse(`more than ${MAX_REDIRECTS} redirects`);
    let next: URL;
    try {
      next = new URL(location, from);
    } catch {
      throw refuse('bad redirect location');
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw refuse(`refusing redirect to ${next.protocol} (a server may only redirect to http(s) URLs)`, 'a server may only redirect to http(s) URLs; fix the server configuration');
    }
    return next;
  }

  function statusError(url: URL, status: number): OvirtRepoError {
    const retry = RETRY_STATUS.has(status);
    const hint =
      status === 404
        ? 'nothing is served at this URL: the URL is wrong, or the repo changed while its metadata was read (retry later)'
        : retry
          ? 'the server failed; retry later'
          : url.protocol === 'https:' && (status === 400 || status === 403) && !options.tls?.cert
            ? 'check the URL and access rights; a server that requires a client certificate answers so without one: give --client-cert/--client-key (sslclientcert/sslclientkey)'
            : 'check the URL and access rights';
    return fetchError(url, `GET ${redactUrl(url.href)} failed: HTTP ${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ''}`, { status, unreachable: retry }, hint);
  }

  async function open(url: URL, request: Pick<ReadRequestOptions, 'signal'> = {}): Promise<OpenedResource> {
    if (url.protocol === 'file:') {
      const path = fileURLToPath(url);
      let size: number;
      try {
        const st = await stat(path);
        if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
        size = st.size;
      } catch (e) {
        throw localError(path, e);
      }
      return { stream: createReadStream(path, { highWaterMark: 1 << 20 }), size, url: url.href };
    }
    const { res, url: final } = await get(url, request.signal);
    const len = Number(res.headers['content-length']);
    const type = res.headers['content-type'];
    return { stream: watched(res, url), size: Number.isFinite(len) ? len : undefined, url: final.href, ...(typeof type === 'string' ? { contentType: type } : {}) };
  }

  async function send(url: URL, req: SendRequest): Promise<SentResponse> {
    if (req.signal?.aborted) throw reasonOf(req.signal, req.method, url);
    requests++;
    let sourceError: unknown;
    let body = req.body;
    if (body !== undefined && !(body instanceof Uint8Array)) {
      body.once('error', (e) => (sourceError ??= e));
      body = watched(body, url, req.method);
    }
    let res: IncomingMessage;
    try {
      res = await transport.request(url, { method: req.method, ...(req.signal ? { signal: req.signal } : {}), headers: { 'user-agent': userAgent, ...req.headers }, ...(body ? { body } : {}) });
    } catch (e) {
      if (sourceError !== undefined) throw sourceError;
      throw req.signal?.aborted ? reasonOf(req.signal, req.method, url) : networkError(req.method, url, e);
    }
    return { status: res.statusCode ?? 0, headers: res.headers, body: watched(res, url, req.method) };
  }

  async function withRetries<T>(what: string, attempt: () => Promise<T>, request: ReadRequestOptions = {}): Promise<T> {
    const allowed = request.retries ?? retries;
    for (let n = 0; ; n++) {
      try {
        return await attempt();
      } catch (e) {
        if (n >= allowed || !isTransient(e) || request.signal?.aborted) throw n > 0 ? withAttempts(e, n + 1) : e;
        const delay = Math.min(30_000, backoff * 2 ** n * (0.5 + Math.random()));
        options.logger?.debug(`retrying ${what} in ${Math.round(delay)} ms (${n + 1}/${allowed}): ${(e as Error).message}`);
        await sleep(delay, undefined, { signal: request.signal }).catch(() => {
          throw e;
        });
      }
    }
  }

  async function document(url: URL, maxBytes = 1 << 30, request: ReadRequestOptions = {}): Promise<ReadDocument> {
    if (url.protocol === 'file:') {
      const path = fileURLToPath(url);
      const limit = { max: maxBytes, exceeded: () => fetchError(url, `${path} is larger than ${maxBytes} bytes`, { unreachable: false }, 'this does not look like what was asked for; check the path') };
      try {
        // A regular file only: a FIFO or /dev/zero named as repomd.xml would block or never end.
        return { data: await readRegularFile(path, limit), url: url.href, attempts: 1 };
      } catch (e) {
        throw isOvirtRepoError(e) ? e : localError(path, e);
      }
    }
    let attempts = 0;
    const doc = await withRetries(redactUrl(url.href), () => (attempts++, readOnce(url, maxBytes, request.signal)), request);
    return { ...doc, attempts };
  }

  /**
   * One try at a document read whole (repomd.xml, a mirror list, a map). Such documents are small, so the
   * try gets the timeout in all: a body that keeps coming above the minimum rate cannot hold a job for hours.
   */
  async function readOnce(url: URL, maxBytes: number, callerSignal: AbortSignal | undefined): Promise<Omit<ReadDocument, 'attempts'>> {
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(fetchError(url, `GET ${redactUrl(url.href)} failed: timed out: not complete within ${idle / 1000} s (the limit of each try)`, { transient: true, unreachable: true }, 'check the server and network; it is retried')),
      idle,
    );
    const signal = callerSignal ? AbortSignal.any([callerSignal, deadline.signal]) : deadline.signal;
    try {
      const { stream, url: final, contentType } = await open(url, { signal });
      const onAbort = () => stream.destroy(reasonOf(signal, 'GET', url));
      signal.addEventListener('abort', onAbort, { once: true });
      const chunks: Buffer[] = [];
      let total = 0;
      try {
        for await (const c of stream as AsyncIterable<Buffer>) {
          total += c.length;
          if (total > maxBytes) {
            throw fetchError(url, `${redactUrl(url.href)} is larger than the ${maxBytes} bytes allowed`, { maxBytes, unreachable: false }, 'check that the URL names the intended document');
          }
          chunks.push(c);
        }
      } catch (e) {
        throw isOvirtRepoError(e) ? e : networkError('GET', url, e);
      } finally {
        signal.removeEventListener('abort', onAbort);
        stream.destroy();
      }
      return { data: Buffer.concat(chunks, total), url: final, ...(contentType ? { contentType } : {}) };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    open,
    read: async (url, maxBytes, request) => (await document(url, maxBytes, request)).data,
    document,
    send,
    withRetries,
    get requests() {
      return requests;
    },
    close: () => transport.close(),
  };
}
