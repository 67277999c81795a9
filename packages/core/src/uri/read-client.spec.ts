import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createReadClient } from './read-client.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A real HTTP server on loopback whose behaviour each test sets; it counts requests. */
async function startServer(handler: Handler): Promise<{ server: Server; url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A server that sends its headers, then a few bytes every `everyMs`, forever (under any idle timeout). */
function trickle(everyMs: number): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-length': '1000000' });
    const timer = setInterval(() => res.write('xyz'), everyMs);
    res.on('close', () => clearInterval(timer));
  };
}

/** A streamed download, as the sync makes of packages and metadata files: open, then read to the end. */
async function download(client: ReturnType<typeof createReadClient>, url: string): Promise<number> {
  const { stream } = await client.open(new URL(url));
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) size += chunk.length;
  return size;
}

describe('ReadClient', () => {
  it('cuts off a transfer slower than the minimum rate, naming the URL and the rate', async () => {
    const s = await startServer(trickle(200));
    const client = createReadClient({ idleTimeoutMs: 1000, minBytesPerSecond: 1000, retries: 0 });
    try {
      const started = Date.now();
      const err = await download(client, `${s.url}/repodata/primary.xml.gz`).catch((e: unknown) => e);
      const took = Date.now() - started;
      expect(err).toMatchObject({ code: 'E_FETCH', target: `${s.url}/repodata/primary.xml.gz`, data: { transient: true } });
      expect((err as Error).message).toMatch(new RegExp(`^GET ${s.url}/repodata/primary.xml.gz failed: too slow: \\d+ bytes in 1 s, below the minimum of 1000 bytes/s`));
      expect((err as { hint: string }).hint).toMatch(/--min-rate/);
      expect(took).toBeGreaterThanOrEqual(900);
      expect(took).toBeLessThan(3000);
    } finally {
      client.close();
      await s.close();
    }
  });

  it('cuts off a slow download again on each of its retries', async () => {
    const s = await startServer(trickle(200));
    const client = createReadClient({ idleTimeoutMs: 1000, minBytesPerSecond: 1000, retries: 1, backoffMs: 10 });
    try {
      const started = Date.now();
      const err = await client
        .withRetries('pkg', () => download(client, `${s.url}/Packages/a.rpm`))
        .catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/too slow/);
      expect(s.requests()).toBe(2);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      client.close();
      await s.close();
    }
  });

  it('gives a document read whole no longer than the timeout, however fast it keeps coming', async () => {
    // An endless body at 20 000 bytes/s: far above the minimum rate, never idle.
    const s = await startServer((_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write('x'.repeat(2000)), 100);
      res.on('close', () => clearInterval(timer));
    });
    const client = createReadClient({ idleTimeoutMs: 1000, minBytesPerSecond: 1000, retries: 1, backoffMs: 10 });
    try {
      const started = Date.now();
      const err = await client.read(new URL(`${s.url}/repodata/repomd.xml`), 16 << 20).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_FETCH', data: { transient: true } });
      expect((err as Error).message).toBe(`GET ${s.url}/repodata/repomd.xml failed: timed out: not complete within 1 s (the limit of each try) after 2 tries`);
      expect(s.requests()).toBe(2);
      expect(Date.now() - started).toBeLessThan(4000);
    } finally {
      client.close();
      await s.close();
    }
  });

  it('lets a transfer at a steady rate above the minimum finish', async () => {
    // 3 chunks of 600 bytes, 300 ms apart: 2000 bytes/s, for longer than one window.
    const s = await startServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(6 * 600) });
      let n = 0;
      const timer = setInterval(() => {
        res.write('x'.repeat(600));
        if (++n === 6) {
          clearInterval(timer);
          res.end();
        }
      }, 300);
    });
    const client = createReadClient({ idleTimeoutMs: 1000, minBytesPerSecond: 1000, retries: 0 });
    try {
      expect(await download(client, `${s.url}/ok`)).toBe(3600);
    } finally {
      client.close();
      await s.close();
    }
  });

  it('does not count the time a request waits for a free connection', async () => {
    // One connection per host: the second request waits for the first (1.5 s, fast) before it starts.
    const s = await startServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(3000) });
      let n = 0;
      const timer = setInterval(() => {
        res.write('x'.repeat(600));
        if (++n === 5) {
          clearInterval(timer);
          res.end();
        }
      }, 300);
    });
    const client = createReadClient({ maxSockets: 1, idleTimeoutMs: 1000, minBytesPerSecond: 1000, retries: 0 });
    try {
      expect(await Promise.all([download(client, `${s.url}/a`), download(client, `${s.url}/b`)])).toEqual([3000, 3000]);
    } finally {
      client.close();
      await s.close();
    }
  });

  it('reads from a server that closes the connection after every answer (as Python http.server does), many at once', async () => {
    const s = await startServer((req, res) => {
      res.shouldKeepAlive = false;
      res.writeHead(200, { connection: 'close' });
      res.end(`body of ${req.url}`);
      res.on('finish', () => req.socket.destroy());
    });
    const client = createReadClient({ maxSockets: 4, idleTimeoutMs: 5000 });
    try {
      const urls = Array.from({ length: 40 }, (_, i) => `${s.url}/f${i}`);
      const texts = await Promise.all(urls.map(async (u) => (await client.read(new URL(u))).toString()));
      expect(texts).toEqual(urls.map((u) => `body of ${new URL(u).pathname}`));
      expect(client.requests).toBe(40);
    } finally {
      client.close();
      await s.close();
    }
  });

  it('makes exactly retries + 1 attempts at a failing URL', async () => {
    const s = await startServer((_req, res) => res.writeHead(503).end('busy'));
    try {
      for (const retries of [0, 1, 3]) {
        const before = s.requests();
        const client = createReadClient({ retries, backoffMs: 1 });
        const err = await client.read(new URL(`${s.url}/repodata/repomd.xml`)).catch((e: unknown) => e);
        client.close();
        expect(err).toMatchObject({ code: 'E_FETCH', data: { status: 503 } });
        expect(s.requests() - before).toBe(retries + 1);
      }
    } finally {
      await s.close();
    }
  });

  it('stops a request when its signal is aborted, without retrying', async () => {
    const s = await startServer(() => undefined); // accepts, never answers
    const client = createReadClient({ retries: 3, backoffMs: 1 });
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      const started = Date.now();
      const err = await client.read(new URL(`${s.url}/x`), undefined, { signal: controller.signal }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_FETCH', data: { aborted: true } });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(s.requests()).toBe(1);
    } finally {
      client.close();
      await s.close();
    }
  });

  it('never follows a redirect away from http(s), to file:// or anything else', async () => {
    const s = await startServer((req, res) => {
      const to = req.url === '/file' ? 'file:///etc/passwd' : req.url === '/ftp' ? 'ftp://127.0.0.1/x' : '/file';
      res.writeHead(302, { location: to }).end();
    });
    const client = createReadClient({ retries: 0 });
    try {
      for (const path of ['/file', '/ftp', '/relative-then-file']) {
        const err = await client.read(new URL(`${s.url}${path}`)).catch((e: unknown) => e);
        expect(err).toMatchObject({ code: 'E_FETCH', message: expect.stringMatching(/refusing redirect to (file|ftp):/) });
        expect((err as Error).message).not.toContain('root:');
      }
    } finally {
      client.close();
      await s.close();
    }
  });
});
