import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import type { ProxyPolicy, TlsMaterial } from './network.js';
import { proxyFor } from './proxy.js';

/**
 * The transport under the one HTTP client (read-client.ts): Node's own http and https modules, which cost a
 * CLI start nothing to load (undici, tried first, cost 160-210 ms at every start that touched the network).
 * Connections are kept alive and bounded per host; TLS certificates are verified whatever
 * NODE_TLS_REJECT_UNAUTHORIZED says (only `tls.verify: false`, asked for explicitly, turns it off); a proxy is
 * reached through a CONNECT tunnel, for http and https alike.
 */
export interface TransportOptions {
  maxSockets: number;
  /** No byte for this long ends the request (ETIMEDOUT). */
  idleMs: number;
  /** `env`: from http_proxy/https_proxy/no_proxy; a URL: that proxy (no_proxy hosts excepted). */
  proxy: ProxyPolicy;
  /** CA, client certificate and key for https servers (default: the system's CAs, no client certificate). */
  tls?: TlsMaterial;
}

export interface TransportRequest {
  method: string;
  headers: Record<string, string>;
  /** Bytes, or a stream piped into the request; an error of the stream ends the request with that error. */
  body?: Uint8Array | Readable;
  /** Aborting it ends the request or its response with the signal's reason. */
  signal?: AbortSignal;
}

export interface Transport {
  /** One request, answered when the response's headers are in. */
  request(url: URL, init: TransportRequest): Promise<IncomingMessage>;
  close(): void;
}

/** The TLS options of every connection to an https server (a https proxy is checked against the system's CAs, as dnf does). */
type TlsConnection = { rejectUnauthorized: boolean; ca?: Buffer; cert?: Buffer; key?: Buffer };

function tlsOptions(tls: TlsMaterial | undefined): TlsConnection {
  return { rejectUnauthorized: tls?.verify ?? true, ...(tls?.ca ? { ca: tls.ca } : {}), ...(tls?.cert ? { cert: tls.cert } : {}), ...(tls?.key ? { key: tls.key } : {}) };
}

/** What a request or a tunnel fails with when no byte came for `idleMs`. */
function idleTimeout(idleMs: number): Error {
  return Object.assign(new Error(`no data for ${idleMs / 1000} s`), { code: 'ETIMEDOUT' });
}

export function createTransport(options: TransportOptions): Transport {
  const { maxSockets, idleMs } = options;
  const tls = tlsOptions(options.tls);
  let agents: { http: http.Agent; https: https.Agent } | undefined;
  const agentFor = (url: URL) => {
    agents ??= {
      http: new http.Agent({ keepAlive: true, maxSockets, timeout: idleMs }),
      https: new https.Agent({ keepAlive: true, maxSockets, timeout: idleMs, ...tls }),
    };
    return url.protocol === 'https:' ? agents.https : agents.http;
  };

  function request(url: URL, init: TransportRequest): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const { signal } = init;
      if (signal?.aborted) return reject(signal.reason as Error);
      const proxy = options.proxy === 'none' ? undefined : proxyFor(url, process.env, options.proxy === 'env' ? undefined : options.proxy);
      const req = (url.protocol === 'https:' ? https : http).request(url, {
        method: init.method,
        headers: init.headers,
        timeout: idleMs,
        ...tls,
        // With no agent (not `agent: false`, which makes one) Node takes the connection from createConnection.
        ...(proxy ? { createConnection: (_o: unknown, done: (e: Error | null, s?: Socket) => void) => tunnel(proxy, url, idleMs, tls, done) } : { agent: agentFor(url) }),
      } as https.RequestOptions);
      let response: IncomingMessage | undefined;
      const fail = (e: Error) => (response ? response.destroy(e) : req.destroy(e));
      const onAbort = () => fail(signal?.reason as Error);
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      req.on('timeout', () => fail(idleTimeout(idleMs)));
      req.on('error', (e) => {
        done();
        reject(e);
      });
      req.on('response', (res) => {
        response = res;
        res.once('close', done);
        resolve(res);
      });
      const { body } = init;
      if (body instanceof Readable) {
        body.once('error', (e) => req.destroy(e));
        body.pipe(req);
      } else req.end(body);
    });
  }

  return {
    request,
    close() {
      agents?.http.destroy();
      agents?.https.destroy();
      agents = undefined;
    },
  };
}

/**
 * A connection to `target` through `proxy`: CONNECT host:port, then TLS to the target itself for https (the
 * proxy sees only the tunnel). A proxy that refuses the tunnel fails the request, naming its answer.
 */
function tunnel(proxy: URL, target: URL, idleMs: number, tls: TlsConnection, done: (e: Error | null, s?: Socket) => void): undefined {
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  const authority = `${target.hostname.includes(':') ? `[${target.hostname}]` : target.hostname}:${port}`;
  const headers: Record<string, string> = { host: authority };
  if (proxy.username) {
    const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
    headers['proxy-authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  const connectReq = (proxy.protocol === 'https:' ? https : http).request({
    host: proxy.hostname,
    port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
    method: 'CONNECT',
    path: authority,
    headers,
    agent: false,
    timeout: idleMs,
    rejectUnauthorized: true,
  });
  connectReq.on('timeout', () => connectReq.destroy(idleTimeout(idleMs)));
  // `proxyHost` (never the credentials) tells http-errors.ts the proxy failed, not the server.
  connectReq.on('error', (e) => done(Object.assign(new Error(`proxy ${proxy.host}: ${e.message}`), { code: (e as NodeJS.ErrnoException).code, proxyHost: proxy.host, cause: e })));
  const refused = (res: IncomingMessage) =>
    done(Object.assign(new Error(`proxy ${proxy.host} refused the tunnel: HTTP ${res.statusCode ?? 0} ${res.statusMessage ?? ''}`.trim()), { code: 'EPROXY', proxyHost: proxy.host }));
  // A refusal is an ordinary response (a 2xx answer to CONNECT is the tunnel).
  connectReq.on('response', (res) => {
    res.destroy();
    refused(res);
  });
  connectReq.on('connect', (res, socket, head) => {
    if (res.statusCode !== 200) {
      socket.destroy();
      return refused(res);
    }
    if (head.length > 0) socket.unshift(head);
    if (target.protocol !== 'https:') return done(null, socket);
    const servername = isIP(target.hostname) ? undefined : target.hostname;
    done(null, tlsConnect({ socket, ...tls, ...(servername ? { servername } : {}) }));
  });
  connectReq.end();
  return undefined;
}
