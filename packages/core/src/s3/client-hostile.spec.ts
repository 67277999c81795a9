import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createS3Client } from './client.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

/** A real HTTP server on loopback standing in for a misbehaving S3 endpoint; it records each request. */
async function startServer(handler: Handler): Promise<{ url: string; seen: { method: string; url: string }[]; close: () => Promise<void> }> {
  const seen: { method: string; url: string }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '' });
      handler(req, res, Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const s3Error = (res: ServerResponse, status: number, code: string) => {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>m</Message><RequestId>r1</RequestId></Error>`);
};

const clientFor = (url: string, extra: { idleTimeoutMs?: number; retries?: number } = {}) =>
  createS3Client({ settings: { credentials: { accessKeyId: 'AK', secretAccessKey: 'SECRET-never-shown' }, region: 'us-east-1', endpoint: new URL(url), credentialSource: 'test' }, idleTimeoutMs: extra.idleTimeoutMs ?? 2000, retries: extra.retries ?? 2, backoffMs: 10 });

describe('S3 client against misbehaving servers', () => {
  it('retries a transient failure of an idempotent request, and sends a compare-and-swap once', async () => {
    let n = 0;
    const s = await startServer((req, res) => {
      if (req.method === 'GET' && ++n < 2) return s3Error(res, 503, 'SlowDown');
      if (req.method === 'PUT') return s3Error(res, 503, 'SlowDown');
      res.writeHead(200, { etag: '"e"', 'content-length': '2' });
      res.end('ok');
    });
    const client = clientFor(s.url);
    try {
      expect((await client.getBytes('b', 'k', 10))?.data.toString()).toBe('ok');
      expect(s.seen.filter((r) => r.method === 'GET')).toHaveLength(2);
      // The path style is /BUCKET/KEY: an endpoint is set.
      expect(s.seen[0]?.url).toBe('/b/k');
      const err = await client.put('b', 'latest', 'x', { ifMatch: 'e' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_FETCH', data: { status: 503, s3Code: 'SlowDown' } });
      expect(s.seen.filter((r) => r.method === 'PUT')).toHaveLength(1);
    } finally {
      client.close();
      await s.close();
    }
  });

  it('a create-only write whose answer was lost is retried, and finds its own bytes rather than a conflict', async () => {
    const stored = new Map<string, Buffer>();
    let dropFirst = true;
    const s = await startServer((req, res, body) => {
      const key = req.url ?? '';
      if (req.method === 'PUT') {
        if (stored.has(key)) return s3Error(res, 412, 'PreconditionFailed');
        stored.set(key, body);
        if (dropFirst) {
          dropFirst = false;
          return req.socket.destroy(); // written, but the answer never arrives
        }
        res.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` });
        return res.end();
      }
      const have = stored.get(key);
      if (!have) return s3Error(res, 404, 'NoSuchKey');
      res.writeHead(200, { etag: `"${createHash('md5').update(have).digest('hex')}"`, 'content-length': String(have.length) });
      res.end();
    });
    const client = clientFor(s.url);
    try {
      const { etag } = await client.put('b', 'commit/1', 'mine', { ifNoneMatch: '*' });
      expect(etag).toBe(`"${createHash('md5').update('mine').digest('hex')}"`);
      expect(s.seen.map((r) => r.method)).toEqual(['PUT', 'PUT', 'HEAD']);
      // Someone else's bytes at the key are a conflict, retry or not.
      dropFirst = true;
      stored.set('/b/commit/2', Buffer.from('theirs'));
      const err = await client.put('b', 'commit/2', 'mine', { ifNoneMatch: '*' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_CONFLICT', data: { status: 412 } });
    } finally {
      client.close();
      await s.close();
    }
  });

  it('bounds what it reads of an endless error body and of a server that never answers', async () => {
    const s = await startServer((req, res) => {
      if (req.url?.startsWith('/b/silent')) return; // never answers
      res.writeHead(500, { 'content-type': 'application/xml' });
      const timer = setInterval(() => res.write(Buffer.alloc(64 * 1024, 'x')), 5);
      res.on('close', () => clearInterval(timer));
    });
    const client = clientFor(s.url, { idleTimeoutMs: 1000, retries: 0 });
    try {
      const started = Date.now();
      const endless = await client.getBytes('b', 'k', 10).catch((e: unknown) => e);
      expect(endless).toMatchObject({ code: 'E_FETCH', data: { status: 500 } });
      const silent = await client.head('b', 'silent').catch((e: unknown) => e);
      expect(silent).toMatchObject({ code: 'E_FETCH', data: { transient: true } });
      expect((silent as Error).message).toMatch(/^HEAD s3:\/\/b\/silent failed: timed out: not complete within 1 s/);
      expect(Date.now() - started).toBeLessThan(4000);
    } finally {
      client.close();
      await s.close();
    }
  });

  it('refuses a listing that does not end: a truncated page without a token, or a token given twice', async () => {
    let mode: 'no-token' | 'loop' = 'no-token';
    const s = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/xml' });
      const token = mode === 'loop' ? '<NextContinuationToken>same</NextContinuationToken>' : '';
      res.end(`<ListBucketResult><IsTruncated>true</IsTruncated>${token}<Contents><Key>p/a</Key><Size>1</Size></Contents></ListBucketResult>`);
    });
    const client = clientFor(s.url);
    const drain = async () => {
      for await (const e of client.list('b', { prefix: 'p/' })) void e;
    };
    try {
      expect(await drain().catch((e: unknown) => e)).toMatchObject({ code: 'E_FETCH', message: expect.stringMatching(/truncated page without a continuation token/) });
      mode = 'loop';
      expect(await drain().catch((e: unknown) => e)).toMatchObject({ code: 'E_FETCH', message: expect.stringMatching(/same continuation token twice/) });
    } finally {
      client.close();
      await s.close();
    }
  });

  it('throws the error of a failing body stream as it is, and sends a stream only once', async () => {
    const s = await startServer((_req, res) => {
      res.writeHead(200, { etag: '"e"' });
      res.end();
    });
    const client = clientFor(s.url);
    try {
      const boom = new Error('the source broke');
      const body = new Readable({
        read() {
          this.destroy(boom);
        },
      });
      await expect(client.put('b', 'k', body, { contentLength: 10, ifNoneMatch: '*' })).rejects.toBe(boom);
    } finally {
      client.close();
      await s.close();
    }
  });
});
