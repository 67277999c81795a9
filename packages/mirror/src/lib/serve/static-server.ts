import { createReadStream } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, sep } from 'node:path';
import { ErrorCodes, OvirtRepoError, silentLogger, type Logger } from '@ovirt-repo/core';
import { CACHE_DIR, LATEST_FILE, LOCKS_DIR, STATUS_PAGE } from '../store/layout.js';
import { contentTypeFor } from './content-type.js';

/** Top-level directories of a store that are its own working state, not content. */
const NOT_SERVED = new Set([LOCKS_DIR, CACHE_DIR]);

export interface ServeOptions {
  /** Directory to serve (the store root). */
  root: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** HTML listings of directories (default true). */
  listing?: boolean;
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
 * requests, content types for repo files, optional directory listings. Nothing outside the store is ever
 * served: paths are decoded and checked segment by segment, then resolved with realpath and required to stay
 * below the store's real path - so the snapshots' `pool` symlink works while `..`, encoded tricks and
 * symlinks pointing outside do not. Dot files (temp files of writers) and the locks directory are hidden.
 */
export async function startStoreServer(options: ServeOptions): Promise<StoreServer> {
  const log = options.logger ?? silentLogger;
  let rootReal: string;
  try {
    rootReal = await realpath(options.root);
  } catch (e) {
    throw new OvirtRepoError(ErrorCodes.NOT_FOUND, `cannot serve ${options.root}: ${(e as Error).message}`, { target: options.root, hint: 'pass an existing store with --store' });
  }
  const listing = options.listing ?? true;
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    handle(req, res).catch((e: unknown) => {
      log.debug(`serve: ${req.url}: ${(e as Error).message}`);
      if (!res.headersSent) send(res, 500, 'internal error\n');
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, 'method not allowed\n');
    }
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    const segments = decodeSegments(rawPath);
    if (!segments) return send(res, 400, 'bad path\n');
    if (segments.some((s) => s.startsWith('.')) || NOT_SERVED.has(segments[0] ?? '')) return send(res, 404, 'not found\n');
    const candidate = join(rootReal, ...segments);
    let real: string;
    try {
      real = await realpath(candidate);
    } catch {
      return send(res, 404, 'not found\n');
    }
    const inside = (p: string) => p === rootReal || p.startsWith(rootReal + sep);
    if (!inside(real)) return send(res, 404, 'not found\n');
    const st = await stat(real).catch(() => undefined);
    if (!st) return send(res, 404, 'not found\n');
    if (st.isDirectory()) {
      if (!rawPath.endsWith('/')) {
        res.setHeader('location', `${rawPath}/`);
        return send(res, 301, 'moved\n');
      }
      // Like nginx's default `index index.html`: the store's status pages stand in for listings.
      const page = await realpath(join(real, STATUS_PAGE)).catch(() => undefined);
      if (page && inside(page) && (await stat(page).catch(() => undefined))?.isFile()) return sendFile(req, res, page, STATUS_PAGE);
      if (!listing) return send(res, 403, 'directory listing disabled\n');
      return sendListing(req, res, real, rawPath, segments.length === 0);
    }
    if (!st.isFile()) return send(res, 404, 'not found\n');
    return sendFile(req, res, real, segments.at(-1) ?? '');
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

async function sendFile(req: IncomingMessage, res: ServerResponse, path: string, name: string): Promise<void> {
  const fh = await open(path, 'r');
  let handedOff = false;
  try {
    const st = await fh.stat();
    const etag = `"${st.ino.toString(16)}-${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
    const lastModified = new Date(Math.floor(st.mtimeMs / 1000) * 1000);
    res.setHeader('etag', etag);
    res.setHeader('last-modified', lastModified.toUTCString());
    res.setHeader('accept-ranges', 'bytes');
    res.setHeader('content-type', contentTypeFor(name));
    // Pointers and status pages change; everything else in a store is immutable once it appears.
    if (name === LATEST_FILE || name.startsWith('all_latest.') || name === STATUS_PAGE) res.setHeader('cache-control', 'no-cache');

    if (notModified(req, etag, lastModified)) {
      res.statusCode = 304;
      res.end();
      return;
    }
    let start = 0;
    let end = st.size - 1;
    const range = req.headers.range;
    if (range && ifRangeMatches(req, etag, lastModified)) {
      const r = parseRange(range, st.size);
      if (r === 'unsatisfiable') {
        res.setHeader('content-range', `bytes */${st.size}`);
        return send(res, 416, 'range not satisfiable\n');
      }
      if (r) {
        [start, end] = r;
        res.statusCode = 206;
        res.setHeader('content-range', `bytes ${start}-${end}/${st.size}`);
      }
    }
    if (res.statusCode !== 206) res.statusCode = 200;
    const length = st.size === 0 ? 0 : end - start + 1;
    res.setHeader('content-length', length);
    if (req.method === 'HEAD' || length === 0) {
      res.end();
      return;
    }
    const stream = createReadStream('', { fd: fh, start, end, autoClose: true });
    handedOff = true;
    stream.on('error', () => res.destroy());
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  } finally {
    if (!handedOff) await fh.close();
  }
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

async function sendListing(req: IncomingMessage, res: ServerResponse, dir: string, rawPath: string, isRoot: boolean): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const rows: string[] = [];
  if (!isRoot) rows.push('<a href="../">../</a>');
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.name.startsWith('.') || (isRoot && NOT_SERVED.has(e.name))) continue;
    let isDir = e.isDirectory();
    if (e.isSymbolicLink()) isDir = (await stat(join(dir, e.name)).catch(() => undefined))?.isDirectory() ?? false;
    const label = `${e.name}${isDir ? '/' : ''}`;
    rows.push(`<a href="${esc(encodeURIComponent(e.name))}${isDir ? '/' : ''}">${esc(label)}</a>`);
  }
  const title = `Index of ${esc(decodeURIComponent(rawPath))}`;
  const body = `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${title}</title></head><body>\n<h1>${title}</h1>\n<pre>\n${rows.join('\n')}\n</pre>\n</body></html>\n`;
  res.statusCode = 200;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(req.method === 'HEAD' ? undefined : body);
}
