import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { contentTypeFor, IMMUTABLE, joinKey, NO_CACHE, silentLogger, storeKey, type Logger, type Store, type StoreEntry } from '@ovirt-repo/core';
import { openStoreBackend } from '../store/backends.js';
import { CACHE_DIR, INDEX_BASENAME, LATEST_FILE, LOCKS_DIR, POOL_DIR, snapshotKey, STATUS_PAGE, YUM_DIR } from '../store/layout.js';
import { snapshotFileKey } from '../store/snapshot-files.js';
import { parseSnapshotId } from '../store/snapshot-id.js';
import { type AccessLogSink, logAccess } from './access-log.js';

/** Top-level directories of a store that are its own working state, not content. */
const NOT_SERVED = new Set([LOCKS_DIR, CACHE_DIR]);

export interface ServeOptions {
  /** The store to serve: an opened Store, or a store location (a directory) opened here. */
  root: Store | string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** HTML listings of directories (default true). */
  listing?: boolean;
  /** Where each request is logged in nginx's combined format; none by default. */
  accessLog?: AccessLogSink;
  logger?: Logger;
}

export interface StoreServer {
  url: string;
  host: string;
  port: number;
  readonly requests: number;
  close(): Promise<void>;
}

/**
 * A small read-only HTTP server for a store: GET and HEAD, byte ranges, ETag/Last-Modified with conditional
 * requests, content types for repo files, optional directory listings. Paths are decoded and checked
 * segment by segment and become store keys; the store never leads outside itself, so the snapshots' `pool`
 * link works while `..`, encoded tricks and links pointing outside do not. Dot files (temp files of
 * writers), locks/ and cache/ are hidden.
 */
export async function startStoreServer(options: ServeOptions): Promise<StoreServer> {
  const log = options.logger ?? silentLogger;
  const store = typeof options.root === 'string' ? await openStoreBackend(options.root) : options.root;
  const listing = options.listing ?? true;
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    if (options.accessLog) logAccess(req, res, options.accessLog);
    handle(req, res).catch((e: unknown) => {
      log.debug(`serve: ${req.url}: ${(e as Error).message}`);
      if (!res.headersSent) send(res, 500, 'internal error\n');
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;

  /** What is served at `key`: an object or a prefix, through links that stay inside; undefined for nothing. */
  const lookup = (key: string): Promise<StoreEntry | undefined> => store.stat(key, { follow: true }).catch(() => undefined);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, 'method not allowed\n');
    }
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    const segments = decodeSegments(rawPath);
    if (!segments) return send(res, 400, 'bad path\n');
    if (segments.some((s) => s.startsWith('.')) || NOT_SERVED.has(segments[0] ?? '')) return send(res, 404, 'not found\n');
    let key: string;
    try {
      key = storeKey(servedKey(store, segments), 'serve');
    } catch {
      return send(res, 404, 'not found\n');
    }
    const found = await lookup(key);
    if (!found) return send(res, 404, 'not found\n');
    if (found.type === 'prefix') {
      if (!rawPath.endsWith('/')) {
        res.setHeader('location', `${rawPath}/`);
        return send(res, 301, 'moved\n');
      }
      // Like nginx's default `index index.html`: the store's status pages stand in for listings.
      const pageKey = joinKey(key, STATUS_PAGE);
      const page = await lookup(pageKey);
      if (page?.type === 'object') return sendObject(req, res, store, pageKey, page);
      if (!listing) return send(res, 403, 'directory listing disabled\n');
      return sendListing(req, res, store, key, rawPath, segments.length === 0);
    }
    if (found.type !== 'object') return send(res, 404, 'not found\n');
    return sendObject(req, res, store, key, found);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    host: addr.address,
    port: addr.port,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The store key a request path names. In a store without links (S3) a snapshot has no `pool` link, so
 * `yum/<repo>/<id>/pool/...` is the store's `pool/...`, as the link would lead.
 */
function servedKey(store: Store, segments: readonly string[]): string {
  const [top, repo, id, ...rest] = segments;
  if (top === YUM_DIR && repo !== undefined && id !== undefined && parseSnapshotId(id) !== undefined && rest[0] === POOL_DIR) {
    return snapshotFileKey(store, snapshotKey(repo, id), rest.join('/'));
  }
  return segments.join('/');
}

/**
 * Pointers and status pages change: revalidated on every use. Packages and a snapshot's files never change
 * once they appear: any cache may keep them. Anything else (pins, directories) gets no header.
 */
export function cacheControlFor(key: string): string | undefined {
  const name = key.slice(key.lastIndexOf('/') + 1);
  if (name === LATEST_FILE || name.startsWith(`${INDEX_BASENAME}.`) || name === STATUS_PAGE) return NO_CACHE;
  const [top, , id] = key.split('/');
  if (top === POOL_DIR || (top === YUM_DIR && id !== undefined && parseSnapshotId(id) !== undefined)) return IMMUTABLE;
  return undefined;
}

/** Decoded path segments, or undefined for anything suspicious. */
export function decodeSegments(rawPath: string): string[] | undefined {
  if (!rawPath.startsWith('/')) return undefined;
  const out: string[] = [];
  for (const raw of rawPath.split('/')) {
    if (raw === '') continue;
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (s === '.' || s === '..' || s.includes('/') || s.includes('\\') || s.includes('\0')) return undefined;
    out.push(s);
  }
  return out;
}

function send(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(res.req?.method === 'HEAD' ? undefined : body);
}

/**
 * Send the object at `key`, whose entry (size, etag, time) is `entry`. The headers are decided from the
 * entry; should the object be replaced before it is opened (a status page, a pointer), the whole answer
 * starts again from the new one.
 */
async function sendObject(req: IncomingMessage, res: ServerResponse, store: Store, key: string, entry: StoreEntry, again = true): Promise<void> {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const etag = `"${entry.etag ?? `${entry.size.toString(16)}-${Math.floor(entry.mtimeMs ?? 0).toString(16)}`}"`;
  const lastModified = new Date(Math.floor((entry.mtimeMs ?? 0) / 1000) * 1000);
  res.setHeader('etag', etag);
  res.setHeader('last-modified', lastModified.toUTCString());
  res.setHeader('accept-ranges', 'bytes');
  res.setHeader('content-type', contentTypeFor(name));
  const caching = cacheControlFor(key);
  if (caching) res.setHeader('cache-control', caching);

  if (notModified(req, etag, lastModified)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  let start = 0;
  let end = entry.size - 1;
  const range = req.headers.range;
  let partial = false;
  if (range && ifRangeMatches(req, etag, lastModified)) {
    const r = parseRange(range, entry.size);
    if (r === 'unsatisfiable') {
      res.setHeader('content-range', `bytes */${entry.size}`);
      return send(res, 416, 'range not satisfiable\n');
    }
    if (r) {
      [start, end] = r;
      partial = true;
    }
  }
  const length = entry.size === 0 ? 0 : end - start + 1;
  const opened = req.method === 'HEAD' || length === 0 ? undefined : await store.open(key, { start, end });
  if (opened && opened.etag !== undefined && opened.etag !== entry.etag) {
    opened.stream.destroy();
    const now = await store.stat(key, { follow: true }).catch(() => undefined);
    if (again && now?.type === 'object') return sendObject(req, res, store, key, now, false);
    return send(res, 503, 'changing, try again\n');
  }
  res.statusCode = partial ? 206 : 200;
  if (partial) res.setHeader('content-range', `bytes ${start}-${end}/${entry.size}`);
  res.setHeader('content-length', length);
  if (!opened) {
    res.end();
    return;
  }
  opened.stream.on('error', () => res.destroy());
  res.on('close', () => opened.stream.destroy());
  opened.stream.pipe(res);
}

function notModified(req: IncomingMessage, etag: string, lastModified: Date): boolean {
  const inm = req.headers['if-none-match'];
  if (inm) return inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*');
  const ims = req.headers['if-modified-since'];
  if (ims) {
    const t = Date.parse(ims);
    return !Number.isNaN(t) && lastModified.getTime() <= t;
  }
  return false;
}

function ifRangeMatches(req: IncomingMessage, etag: string, lastModified: Date): boolean {
  const raw = req.headers['if-range'];
  const ir = Array.isArray(raw) ? raw[0] : raw;
  if (!ir) return true;
  if (ir.startsWith('"') || ir.startsWith('W/')) return ir === etag;
  const t = Date.parse(ir);
  return !Number.isNaN(t) && lastModified.getTime() <= t;
}

/** One byte range (`bytes=a-b`, `a-`, `-n`); undefined to ignore the header (multiple or malformed ranges). */
export function parseRange(header: string, size: number): [number, number] | 'unsatisfiable' | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return undefined;
  }
  if (start >= size || size === 0) return 'unsatisfiable';
  return [start, end];
}

async function sendListing(req: IncomingMessage, res: ServerResponse, store: Store, key: string, rawPath: string, isRoot: boolean): Promise<void> {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const rows: string[] = [];
  if (!isRoot) rows.push('<a href="../">../</a>');
  for (const e of await store.list(key)) {
    const name = e.key.slice(e.key.lastIndexOf('/') + 1);
    if (isRoot && NOT_SERVED.has(name)) continue;
    const isDir = e.type === 'prefix' || (e.type === 'link' && (await store.stat(e.key, { follow: true }).catch(() => undefined))?.type === 'prefix');
    const label = `${name}${isDir ? '/' : ''}`;
    rows.push(`<a href="${esc(encodeURIComponent(name))}${isDir ? '/' : ''}">${esc(label)}</a>`);
  }
  const title = `Index of ${esc(decodeURIComponent(rawPath))}`;
  const body = `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${title}</title></head><body>\n<h1>${title}</h1>\n<pre>\n${rows.join('\n')}\n</pre>\n</body></html>\n`;
  res.statusCode = 200;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(req.method === 'HEAD' ? undefined : body);
}
