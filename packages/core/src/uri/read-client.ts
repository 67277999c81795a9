import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, OvirtRepoError, isOvirtRepoError } from '../errors/index.js';
import { readRegularFile } from '../fs/regular-file.js';
import type { Logger } from '../log/logger.js';
import { watchRate } from './rate-watch.js';
import { redactUrl } from './redact.js';

/**
 * Reading repos over http(s):// and file://, for mirror sync and publish: small metadata files into memory,
 * packages as streams. (readUri is for single documents: configs, maps, lock files.) One client per sync keeps
 * connections alive and bounds them per host; TLS certificates are always verified (Node's default CA store,
 * plus NODE_EXTRA_CA_CERTS), even under NODE_TLS_REJECT_UNAUTHORIZED=0. Redirects are followed (at most 5),
 * only to http(s): a server never makes the client read a local file.
 */
export interface ReadClientOptions {
  /** Parallel connections per host. */
  maxSockets?: number;
  /** Abort when no byte arrives for this long. Default 60 s. */
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
}

export interface ReadRequestOptions {
  /** Aborting it ends the request (and the stream of an opened resource) at once; it is not retried. */
  signal?: AbortSignal;
  /** This call's retries instead of the client's (a mirror of a list gets one try: the next mirror is the retry). */
  retries?: number;
}

export interface ReadClient {
  /** Open a resource for streaming. Not retried (the caller retries the whole transfer). */
  open(url: URL, options?: Pick<ReadRequestOptions, 'signal'>): Promise<OpenedResource>;
  /** Read a (small) resource into memory, with retries. */
  read(url: URL, maxBytes?: number, options?: ReadRequestOptions): Promise<Buffer>;
  /** Run `attempt` with the client's retry policy (for streamed transfers that must restart from zero). */
  withRetries<T>(what: string, attempt: () => Promise<T>, options?: ReadRequestOptions): Promise<T>;
  /** Number of HTTP requests made (for tests and the no-change promise). */
  readonly requests: number;
  close(): void;
}

/** Is this failure worth another try? */
export function isTransient(e: unknown): boolean {
  if (isOvirtRepoError(e)) {
    const status = e.data?.status;
    if (typeof status === 'number') return status === 408 || status === 429 || status >= 500;
    return e.data?.transient === true;
  }
  return false;
}

export function createReadClient(options: ReadClientOptions = {}): ReadClient {
  const maxSockets = options.maxSockets ?? 16;
  const idle = options.idleTimeoutMs ?? 60_000;
  const minRate = options.minBytesPerSecond ?? 1000;
  const retries = options.retries ?? 3;
  const backoff = options.backoffMs ?? 500;
  const agents = {
    http: new http.Agent({ keepAlive: true, maxSockets }),
    https: new https.Agent({ keepAlive: true, maxSockets, rejectUnauthorized: true }),
  };
  let requests = 0;

  const fetchError = (url: URL, message: string, data: Record<string, unknown>, hint: string, cause?: unknown) =>
    new OvirtRepoError(ErrorCodes.FETCH, message, { target: redactUrl(url.href), hint, data, cause });
  const abortError = (url: URL) => fetchError(url, `GET ${redactUrl(url.href)} aborted`, { aborted: true }, 'the request was no longer needed');
  const tooSlow = (url: URL, bytes: number) =>
    fetchError(
      url,
      `GET ${redactUrl(url.href)} too slow: ${bytes} bytes in ${idle / 1000} s, below the minimum of ${minRate} bytes/s`,
      { transient: true, bytes, minBytesPerSecond: minRate },
      'the server or the network is too slow; retry later, use another mirror, or lower --min-rate (sync.minRate)',
    );

  function get(url: URL, signal: AbortSignal | undefined, redirects = 0): Promise<{ res: IncomingMessage; url: URL }> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(url));
      requests++;
      const mod = url.protocol === 'https:' ? https : http;
      const req = mod.get(url, {
        agent: url.protocol === 'https:' ? agents.https : agents.http,
        headers: { 'user-agent': options.userAgent ?? 'ovirt-repo', accept: '*/*' },
        timeout: idle,
      });
      // Ends the request, or once it has a response the response (whose stream the caller may be reading).
      let response: IncomingMessage | undefined;
      const fail = (e: OvirtRepoError) => (response ? response.destroy(e) : req.destroy(e));
      let unwatch = () => undefined as void;
      // A deadline aborts with its own (transient) error as the reason; the caller's abort is final.
      const onAbort = () => fail(isOvirtRepoError(signal?.reason) ? signal.reason : abortError(url));
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        unwatch();
        signal?.removeEventListener('abort', onAbort);
      };
      req.on('socket', (socket) => {
        unwatch = watchRate(socket, idle, minRate, (bytes) => fail(tooSlow(url, bytes)));
      });
      req.on('close', () => {
        if (!response) done();
      });
      req.on('timeout', () =>
        req.destroy(fetchError(url, `GET ${redactUrl(url.href)} timed out (no data for ${idle / 1000} s)`, { transient: true }, 'check the server and network; the sync retries transient failures')),
      );
      req.on('error', (e) => {
        done();
        if (isOvirtRepoError(e)) return reject(e);
        const code = (e as NodeJS.ErrnoException).code ?? '';
        const tls = /CERT|SSL|TLS|SELF_SIGNED/i.test(code) || /certificate/i.test(e.message);
        reject(
          fetchError(
            url,
            `GET ${redactUrl(url.href)} failed: ${code ? `${code}: ` : ''}${e.message}`,
            { transient: !tls && code !== 'ENOTFOUND', code },
            tls
              ? 'the server certificate did not verify; install its CA (NODE_EXTRA_CA_CERTS) rather than disabling verification'
              : 'check the URL and that the server is reachable from here',
            e,
          ),
        );
      });
      req.on('response', (res) => {
        response = res;
        res.once('close', done);
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          if (redirects >= 5) return reject(fetchError(url, `GET ${redactUrl(url.href)}: too many redirects`, { status }, 'fix the server configuration'));
          let next: URL;
          try {
            next = new URL(res.headers.location, url);
          } catch {
            return reject(fetchError(url, `GET ${redactUrl(url.href)}: bad redirect "${res.headers.location}"`, { status }, 'fix the server configuration'));
          }
          if (next.protocol !== 'http:' && next.protocol !== 'https:') {
            return reject(fetchError(url, `GET ${redactUrl(url.href)}: refusing redirect to ${next.protocol}`, { status }, 'a server may only redirect to http(s) URLs; fix the server configuration'));
          }
          return get(next, signal, redirects + 1).then(resolve, reject);
        }
        if (status !== 200) {
          res.resume();
          const hint =
            status === 404
              ? 'the file is missing on the server: the URL is wrong, or the repo changed while its metadata was read (retry later)'
              : status >= 500 || status === 429
                ? 'the server failed; retry later'
                : 'check the URL and access rights';
          return reject(fetchError(url, `GET ${redactUrl(url.href)} returned HTTP ${status} ${res.statusMessage ?? ''}`.trim(), { status }, hint));
        }
        resolve({ res, url });
      });
    });
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
    res.on('error', () => undefined);
    // Idle timeout while streaming the body.
    res.setTimeout?.(idle, () => res.destroy(fetchError(url, `GET ${redactUrl(url.href)} stalled (no data for ${idle / 1000} s)`, { transient: true }, 'retry later')));
    return { stream: res, size: Number.isFinite(len) ? len : undefined, url: final.href };
  }

  async function withRetries<T>(what: string, attempt: () => Promise<T>, request: ReadRequestOptions = {}): Promise<T> {
    const allowed = request.retries ?? retries;
    for (let n = 0; ; n++) {
      try {
        return await attempt();
      } catch (e) {
        if (n >= allowed || !isTransient(e) || request.signal?.aborted) throw e;
        const delay = Math.min(30_000, backoff * 2 ** n * (0.5 + Math.random()));
        options.logger?.debug(`retrying ${what} in ${Math.round(delay)} ms (${n + 1}/${allowed}): ${(e as Error).message}`);
        await sleep(delay, undefined, { signal: request.signal }).catch(() => {
          throw e;
        });
      }
    }
  }

  async function read(url: URL, maxBytes = 1 << 30, request: ReadRequestOptions = {}): Promise<Buffer> {
    if (url.protocol === 'file:') {
      const path = fileURLToPath(url);
      const limit = { max: maxBytes, exceeded: () => fetchError(url, `${path} is larger than ${maxBytes} bytes`, {}, 'this does not look like repo metadata; check the path') };
      try {
        // A regular file only: a FIFO or /dev/zero named as repomd.xml would block or never end.
        return await readRegularFile(path, limit);
      } catch (e) {
        throw isOvirtRepoError(e) ? e : localError(path, e);
      }
    }
    return withRetries(url.href, () => readOnce(url, maxBytes, request.signal), request);
  }

  /**
   * One try at a document read whole (repomd.xml, a mirror list). Such documents are small, so the try gets
   * the timeout in all: a body that keeps coming above the minimum rate cannot hold the sync for hours.
   */
  async function readOnce(url: URL, maxBytes: number, callerSignal: AbortSignal | undefined): Promise<Buffer> {
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(fetchError(url, `GET ${redactUrl(url.href)} timed out: not complete within ${idle / 1000} s`, { transient: true }, 'check the server and network; the sync retries transient failures')),
      idle,
    );
    try {
      const { stream } = await open(url, { signal: callerSignal ? AbortSignal.any([callerSignal, deadline.signal]) : deadline.signal });
      const chunks: Buffer[] = [];
      let total = 0;
      try {
        for await (const c of stream as AsyncIterable<Buffer>) {
          total += c.length;
          if (total > maxBytes) {
            stream.destroy();
            throw fetchError(url, `${redactUrl(url.href)} is larger than ${maxBytes} bytes`, {}, 'this does not look like repo metadata; check the URL');
          }
          chunks.push(c);
        }
      } catch (e) {
        if (isOvirtRepoError(e)) throw e;
        throw fetchError(url, `GET ${redactUrl(url.href)} failed while reading: ${(e as Error).message}`, { transient: true }, 'retry later', e);
      }
      return Buffer.concat(chunks);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    open,
    read,
    withRetries,
    get requests() {
      return requests;
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

function localError(path: string, e: unknown): OvirtRepoError {
  const code = (e as NodeJS.ErrnoException).code;
  return new OvirtRepoError(ErrorCodes.FETCH, `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`, {
    target: path,
    hint: code === 'ENOENT' ? 'the file is missing from the source repo: check the path, or regenerate the repo metadata' : 'check the path and permissions',
    data: { code },
    cause: e,
  });
}
