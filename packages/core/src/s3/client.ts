import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ErrorCodes, isOvirtRepoError, OvirtRepoError } from '../errors/index.js';
import type { Logger } from '../log/logger.js';
import { fetchError } from '../uri/http-errors.js';
import { answerError, header, infoOf, parseListPage, readBounded, unquote } from './answers.js';
import { createReadClient, type ReadClient, type SendRequest, type SentResponse } from '../uri/read-client.js';
import { formatS3Location } from './location.js';
import type { S3Settings } from './settings.js';
import { EMPTY_SHA256, encodeKeyPath, sha256Hex, signRequest, UNSIGNED_PAYLOAD } from './sigv4.js';
import type { S3Client, S3ListEntry, S3ListOptions, S3ListPage, S3ObjectInfo, S3ObjectStream, S3PutOptions } from './types.js';

export interface S3ClientOptions {
  settings: S3Settings;
  /** The HTTP client to send through (core's one client). Default: one of its own, closed by close(). */
  http?: ReadClient;
  /** For a client of its own: see ReadClientOptions. */
  idleTimeoutMs?: number;
  minBytesPerSecond?: number;
  retries?: number;
  backoffMs?: number;
  maxSockets?: number;
  logger?: Logger;
  /** The clock requests are signed with (tests). */
  now?: () => Date;
}

/**
 * S3's limit for one PutObject. Up to it a single PUT is all the store needs (packages and metadata; the
 * largest RPMs are a few GB) and keeps create-only and compare-and-swap one request each, which a multipart
 * upload does not give everywhere: Ceph RGW 16.2 ignores both conditions on CompleteMultipartUpload.
 */
export const MAX_PUT_BYTES = 5 * 1024 ** 3;
const MAX_LIST_PAGE_BYTES = 16 * 1024 * 1024;

type Method = SendRequest['method'];

interface Exchange {
  method: Method;
  /** S3's name for the operation, for messages and data. */
  operation: string;
  bucket: string;
  key?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Uint8Array | Readable;
  payloadHash?: string;
  /** Small requests: the whole exchange (answer read too) within the idle timeout. Streams: rate-bounded. */
  whole: boolean;
  signal?: AbortSignal;
  /** 404 gives undefined instead of an error. */
  missingOk?: boolean;
}

/**
 * A small S3 client over core's one HTTP client: SigV4 header signing (sigv4.ts), path-style addressing
 * whenever an endpoint is set, GET/HEAD/PUT/DELETE/ListObjectsV2, conditional writes. Answers other than
 * success become OvirtRepoErrors naming the operation, s3://bucket/key and S3's error code, never a secret;
 * a failed precondition (412, or 409 ConditionalRequestConflict) is E_CONFLICT. Retries (the client's
 * policy) cover transient failures of idempotent requests and of create-only writes of bytes in memory;
 * a compare-and-swap or a stream is sent once.
 */
export function createS3Client(options: S3ClientOptions): S3Client {
  const { settings } = options;
  const idle = options.idleTimeoutMs ?? 60_000;
  const own = options.http === undefined;
  const http =
    options.http ??
    createReadClient({
      idleTimeoutMs: idle,
      ...(options.minBytesPerSecond !== undefined ? { minBytesPerSecond: options.minBytesPerSecond } : {}),
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
      ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}),
      ...(options.maxSockets !== undefined ? { maxSockets: options.maxSockets } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...settings.network,
    });
  const now = options.now ?? (() => new Date());

  function urlOf(bucket: string, key = '', query: Record<string, string> = {}): URL {
    const path = encodeKeyPath(key);
    let url: URL;
    if (settings.endpoint) {
      url = new URL(settings.endpoint.href);
      url.pathname = `${url.pathname.replace(/\/+$/, '')}/${bucket}/${path}`;
    } else if (!bucket.includes('.') && bucket === bucket.toLowerCase()) {
      url = new URL(`https://${bucket}.s3.${settings.region}.amazonaws.com/${path}`);
    } else {
      // A dotted bucket name breaks the certificate's wildcard: path style.
      url = new URL(`https://s3.${settings.region}.amazonaws.com/${bucket}/${path}`);
    }
    url.search = Object.entries(query)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
      .join('&');
    return url;
  }

  /** Send one signed request; `use` gets a 2xx answer. Other answers are read (bounded) into errors. */
  async function exchange<T>(x: Exchange, use: (res: SentResponse) => Promise<T>): Promise<T | undefined> {
    const url = urlOf(x.bucket, x.key, x.query);
    const where = formatS3Location(x.bucket, x.key ?? '');
    const deadline = new AbortController();
    const timer = x.whole
      ? setTimeout(() => deadline.abort(fetchError(url, `${x.method} ${where} failed: timed out: not complete within ${idle / 1000} s (the limit of each try)`, { transient: true, unreachable: true }, 'the S3 server is slow or unreachable; it is retried')), idle)
      : undefined;
    const signal = x.signal ? AbortSignal.any([x.signal, deadline.signal]) : deadline.signal;
    try {
      const headers = signRequest({ method: x.method, url, headers: x.headers ?? {}, payloadHash: x.payloadHash ?? EMPTY_SHA256, region: settings.region, now: now() }, settings.credentials);
      const res = await http.send(url, { method: x.method, headers, signal, ...(x.body !== undefined ? { body: x.body } : {}) }).catch((e: unknown) => {
        throw isOvirtRepoError(e) && e.data?.tls === true ? untrustedEndpoint(e, settings) : e;
      });
      if (res.status >= 200 && res.status < 300) return await use(res);
      if (res.status === 404 && x.missingOk) {
        res.body.resume();
        return undefined;
      }
      throw await answerError(x, where, res);
    } finally {
      clearTimeout(timer);
    }
  }

  async function withRetries<T>(what: string, retry: boolean, attempt: () => Promise<T>): Promise<T> {
    return http.withRetries(what, attempt, retry ? {} : { retries: 0 });
  }

  async function head(bucket: string, key: string): Promise<S3ObjectInfo | undefined> {
    return withRetries(`HEAD ${formatS3Location(bucket, key)}`, true, () =>
      exchange({ method: 'HEAD', operation: 'HeadObject', bucket, key, whole: true, missingOk: true }, async (res) => {
        res.body.resume();
        return infoOf(res);
      }),
    );
  }

  async function get(bucket: string, key: string, opts: { range?: { start: number; end?: number }; signal?: AbortSignal } = {}): Promise<S3ObjectStream | undefined> {
    const headers: Record<string, string> = opts.range ? { range: `bytes=${opts.range.start}-${opts.range.end ?? ''}` } : {};
    return withRetries(`GET ${formatS3Location(bucket, key)}`, true, () =>
      exchange({ method: 'GET', operation: 'GetObject', bucket, key, headers, whole: false, missingOk: true, ...(opts.signal ? { signal: opts.signal } : {}) }, async (res) => {
        const info = infoOf(res);
        const range = /\/(\d+)$/.exec(header(res, 'content-range') ?? '');
        return { ...info, ...(range ? { size: Number(range[1]) } : {}), stream: res.body };
      }),
    );
  }

  async function getBytes(bucket: string, key: string, maxBytes: number): Promise<{ data: Buffer; etag: string } | undefined> {
    const where = formatS3Location(bucket, key);
    return withRetries(`GET ${where}`, true, () =>
      exchange({ method: 'GET', operation: 'GetObject', bucket, key, whole: true, missingOk: true }, async (res) => {
        const data = await readBounded(res.body, maxBytes);
        if (!data) throw new OvirtRepoError(ErrorCodes.FETCH, `GET ${where}: larger than the ${maxBytes} bytes allowed`, { target: where, hint: 'this object is not the small document expected here', data: { maxBytes, transient: false } });
        return { data, etag: header(res, 'etag') ?? '' };
      }),
    );
  }

  async function put(bucket: string, key: string, body: string | Uint8Array | Readable, opts: S3PutOptions = {}): Promise<{ etag: string }> {
    const where = formatS3Location(bucket, key);
    const bytes = typeof body === 'string' ? Buffer.from(body) : body instanceof Uint8Array ? body : undefined;
    const length = bytes ? bytes.length : opts.contentLength;
    if (length === undefined) throw new OvirtRepoError(ErrorCodes.INTERNAL, `PUT ${where}: a stream needs its contentLength`);
    if (length > MAX_PUT_BYTES) {
      throw new OvirtRepoError(ErrorCodes.FETCH, `PUT ${where}: ${length} bytes is more than the ${MAX_PUT_BYTES} bytes one PUT may carry`, { target: where, hint: 'objects this large are not supported', data: { size: length, transient: false } });
    }
    const headers: Record<string, string> = { 'content-length': String(length) };
    if (opts.ifNoneMatch) headers['if-none-match'] = opts.ifNoneMatch;
    if (opts.ifMatch !== undefined) headers['if-match'] = opts.ifMatch;
    if (opts.contentType) headers['content-type'] = opts.contentType;
    if (opts.cacheControl) headers['cache-control'] = opts.cacheControl;
    const payloadHash = bytes ? sha256Hex(bytes) : (opts.sha256 ?? UNSIGNED_PAYLOAD);
    const send = () =>
      exchange({ method: 'PUT', operation: 'PutObject', bucket, key, headers, body: bytes ?? (body as Readable), payloadHash, whole: bytes !== undefined, ...(opts.signal ? { signal: opts.signal } : {}) }, async (res) => {
        res.body.resume();
        return { etag: header(res, 'etag') ?? '' };
      });
    // A stream cannot be sent twice, and a compare-and-swap retried after a lost answer would report a
    // conflict with itself. A create of bytes can: see below.
    const retry = bytes !== undefined && opts.ifMatch === undefined;
    let attempts = 0;
    try {
      return (await withRetries(`PUT ${where}`, retry, () => (attempts++, send()))) as { etag: string };
    } catch (e) {
      // A create retried after its first answer was lost finds its own object: the same bytes are ours.
      if (attempts > 1 && opts.ifNoneMatch && bytes && isOvirtRepoError(e) && e.code === ErrorCodes.CONFLICT) {
        const there = await head(bucket, key);
        const md5 = createHash('md5').update(bytes).digest('hex');
        if (there && unquote(there.etag) === md5) return { etag: there.etag };
      }
      // Ceph RGW 16.2 answers the losers of concurrent If-Match writes with 500 UnknownError (measured:
      // 2 to 15 of 16 racing writers; the object is always the one 200 winner's). What is there tells: our
      // bytes (we won; identical bytes from another writer are the same outcome), the version we expected
      // (nothing was written: the error stands), or another version (we lost: a conflict).
      if (opts.ifMatch !== undefined && bytes && isOvirtRepoError(e) && e.code === ErrorCodes.FETCH && Number(e.data?.status) >= 500) {
        const there = await head(bucket, key).catch(() => undefined);
        const md5 = createHash('md5').update(bytes).digest('hex');
        if (there && unquote(there.etag) === md5) return { etag: there.etag };
        if (there === undefined || unquote(there.etag) !== unquote(opts.ifMatch)) {
          throw new OvirtRepoError(ErrorCodes.CONFLICT, `PUT ${where}: the object changed since it was read (compare-and-swap): HTTP ${String(e.data?.status)} as another writer's change landed`, {
            target: where,
            hint: 'another writer changed it meanwhile; read it again and redo the change',
            data: { ...e.data, raced: true },
          });
        }
      }
      throw e;
    }
  }

  async function del(bucket: string, key: string): Promise<void> {
    await withRetries(`DELETE ${formatS3Location(bucket, key)}`, true, () =>
      exchange({ method: 'DELETE', operation: 'DeleteObject', bucket, key, whole: true, missingOk: true }, async (res) => {
        res.body.resume();
      }),
    );
  }

  async function listPage(bucket: string, opts: { prefix?: string; delimiter?: string; token?: string; maxKeys?: number }): Promise<S3ListPage> {
    const query: Record<string, string> = { 'list-type': '2', 'max-keys': String(opts.maxKeys ?? 1000) };
    if (opts.prefix) query.prefix = opts.prefix;
    if (opts.delimiter) query.delimiter = opts.delimiter;
    if (opts.token) query['continuation-token'] = opts.token;
    const where = formatS3Location(bucket, opts.prefix ?? '');
    const page = await withRetries(`LIST ${where}`, true, () =>
      exchange({ method: 'GET', operation: 'ListObjectsV2', bucket, query, whole: true }, async (res) => {
        const data = await readBounded(res.body, MAX_LIST_PAGE_BYTES);
        if (!data) throw new OvirtRepoError(ErrorCodes.FETCH, `LIST ${where}: a page of the listing is larger than ${MAX_LIST_PAGE_BYTES} bytes`, { target: where, hint: 'the endpoint does not behave as S3 does', data: { transient: false } });
        return parseListPage(data, `LIST ${where}`);
      }),
    );
    return page as S3ListPage;
  }

  async function* list(bucket: string, opts: S3ListOptions = {}): AsyncGenerator<S3ListEntry> {
    const max = opts.maxEntries ?? 10_000_000;
    const where = formatS3Location(bucket, opts.prefix ?? '');
    const seen = new Set<string>();
    let count = 0;
    let token: string | undefined;
    do {
      const page = await listPage(bucket, { ...(opts.prefix ? { prefix: opts.prefix } : {}), ...(opts.delimiter ? { delimiter: opts.delimiter } : {}), ...(token ? { token } : {}) });
      count += page.objects.length + page.prefixes.length;
      if (count > max) throw new OvirtRepoError(ErrorCodes.FETCH, `LIST ${where}: more than ${max} entries`, { target: where, hint: 'list a narrower prefix', data: { maxEntries: max, transient: false } });
      for (const p of page.prefixes) yield { key: p, size: -1 };
      yield* page.objects;
      token = page.nextToken;
      if (token !== undefined) {
        if (seen.has(token)) throw new OvirtRepoError(ErrorCodes.FETCH, `LIST ${where}: the server gave the same continuation token twice`, { target: where, hint: 'the endpoint does not behave as S3 does', data: { transient: false } });
        seen.add(token);
      }
    } while (token !== undefined);
  }

  /** Bucket set-up for tests and tools; the store and targets never create buckets or change policies. */
  async function bucketRequest(bucket: string, operation: string, query: Record<string, string>, body: string, okCodes: readonly string[] = []): Promise<void> {
    const bytes = Buffer.from(body);
    await withRetries(`PUT ${formatS3Location(bucket)} (${operation})`, true, async () => {
      try {
        await exchange({ method: 'PUT', operation, bucket, query, headers: { 'content-length': String(bytes.length) }, body: bytes, payloadHash: sha256Hex(bytes), whole: true }, async (res) => {
          res.body.resume();
        });
      } catch (e) {
        if (isOvirtRepoError(e) && okCodes.includes(String(e.data?.s3Code))) return;
        throw e;
      }
    });
  }

  return {
    settings,
    createBucket: (bucket) => bucketRequest(bucket, 'CreateBucket', {}, '', ['BucketAlreadyOwnedByYou']),
    putBucketPolicy: (bucket, policy) => bucketRequest(bucket, 'PutBucketPolicy', { policy: '' }, policy),
    head,
    get,
    getBytes,
    put,
    delete: del,
    listPage,
    list,
    get requests() {
      return http.requests;
    },
    close() {
      if (own) http.close();
    },
  };
}

/** A TLS failure says how S3 tools are given a CA (the AWS CLI's AWS_CA_BUNDLE), not yum's sslcacert. */
function untrustedEndpoint(e: OvirtRepoError, settings: S3Settings): OvirtRepoError {
  return new OvirtRepoError(e.code, e.message, {
    ...(e.target ? { target: e.target } : {}),
    hint: `the TLS handshake with the S3 endpoint${settings.endpoint ? ` ${settings.endpoint.host}` : ''} failed: when its certificate is signed by your own CA, set AWS_CA_BUNDLE (or ca_bundle in the AWS profile) to that CA's PEM file, as for the AWS CLI`,
    ...(e.data ? { data: e.data } : {}),
    cause: e,
  });
}
