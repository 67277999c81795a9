import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, OvirtRepoError, isOvirtRepoError } from '../errors/index.js';
import { readRegularFile } from '../fs/regular-file.js';
import type { Logger } from '../log/logger.js';
import { redactUrl } from './redact.js';

/**
 * Reading repos over http(s):// and file://, for mirror sync and publish: small metadata files into memory,
 * packages as streams. (readUri is for single documents: configs, maps, lock files.) One client per sync keeps connections alive and bounds them per host; TLS certificates are always
 * verified (Node's default CA store, plus NODE_EXTRA_CA_CERTS). Redirects are followed (at most 5).
 */
export interface ReadClientOptions {
  /** Parallel connections per host. */
  maxSockets?: number;
  /** Abort when no byte arrives for this long. Default 60 s. */
  idleTimeoutMs?: number;
  /** Retries of transient failures (network errors, timeouts, 408/429/5xx). Default 3. */
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

export interface ReadClient {
  /** Open a resource for streaming. Not retried (the caller retries the whole transfer). */
  open(url: URL): Promise<OpenedResource>;
  /** Read a (small) resource into memory, with retries. */
  read(url: URL, maxBytes?: number): Promise<Buffer>;
  /** Run `attempt` with the client's retry policy (for streamed transfers that must restart from zero). */
  withRetries<T>(what: string, attempt: () => Promise<T>): Promise<T>;
  /** Number of HTTP requests made (for tests and the no-change promise). */
  readonly requests: number;
  close(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
  const retries = options.retries ?? 3;
  const backoff = options.backoffMs ?? 500;
  const agents = {
    http: new http.Agent({ keepAlive: true, maxSockets }),
    https: new https.Agent({ keepAlive: true, maxSockets }),
  };
  let requests = 0;

  const fetchError = (url: URL, message: string, data: Record<string, unknown>, hint: string, cause?: unknown) =>
    new OvirtRepoError(ErrorCodes.FETCH, message, { target: redactUrl(url.href), hint, data, cause });

  function get(url: URL, redirects = 0): Promise<{ res: IncomingMessage; url: URL }> {
    return new Promise((resolve, reject) => {
      requests++;
      const mod = url.protocol === 'https:' ? https : http;
      const req = mod.get(url, {
        agent: url.protocol === 'https:' ? agents.https : agents.http,
        headers: { 'user-agent': options.userAgent ?? 'ovirt-repo', accept: '*/*' },
        timeout: idle,
      });
      req.on('timeout', () =>
        req.destroy(fetchError(url, `GET ${redactUrl(url.href)} timed out (no data for ${idle / 1000} s)`, { transient: true }, 'check the server and network; the sync retries transient failures')),
      );
      req.on('error', (e) => {
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
            return reject(fetchError(url, `GET ${redactUrl(url.href)}: refusing redirect to ${next.protocol}`, { status }, 'fix the server configuration'));
          }
          return get(next, redirects + 1).then(resolve, reject);
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

  async function open(url: URL): Promise<OpenedResource> {
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
    const { res, url: final } = await get(url);
    const len = Number(res.headers['content-length']);
    res.on('error', () => undefined);
    // Idle timeout while streaming the body.
    res.setTimeout?.(idle, () => res.destroy(fetchError(url, `GET ${redactUrl(url.href)} stalled (no data for ${idle / 1000} s)`, { transient: true }, 'retry later')));
    return { stream: res, size: Number.isFinite(len) ? len : undefined, url: final.href };
  }

  async function withRetries<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    for (let n = 0; ; n++) {
      try {
        return await attempt();
      } catch (e) {
        if (n >= retries || !isTransient(e)) throw e;
        const delay = Math.min(30_000, backoff * 2 ** n * (0.5 + Math.random()));
        options.logger?.debug(`retrying ${what} in ${Math.round(delay)} ms (${n + 1}/${retries}): ${(e as Error).message}`);
        await sleep(delay);
      }
    }
  }

  async function read(url: URL, maxBytes = 1 << 30): Promise<Buffer> {
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
    return withRetries(url.href, async () => {
      const { stream } = await open(url);
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
    });
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
