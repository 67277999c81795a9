import { execFileSync } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeTempDir } from '@ovirt-repo/test-support';
import { isUnreachableError, readUri } from './read.js';
import { DEFAULT_MAX_DOCUMENT_BYTES } from './read-options.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A real HTTP server on loopback whose behaviour each test sets. */
async function startServer(handler: Handler): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bind, note it, close. */
async function refusedPort(): Promise<number> {
  const s = await startServer(() => undefined);
  const port = Number(new URL(s.url).port);
  await s.close();
  return port;
}

const fast = { retryDelayMs: 5 };

describe('readUri over HTTP', () => {
  it('reads a document with the ovirt-repo user agent', async () => {
    let agent: string | undefined;
    const s = await startServer((req, res) => {
      agent = req.headers['user-agent'];
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"a":1}');
    });
    try {
      const r = await readUri(`${s.url}/all_latest.json`, fast);
      expect(r.data.toString()).toBe('{"a":1}');
      expect(r).toMatchObject({ uri: `${s.url}/all_latest.json`, contentType: 'application/json', attempts: 1 });
      expect(agent).toMatch(/^ovirt-repo\/\d+\.\d+\.\d+/);
    } finally {
      await s.close();
    }
  });

  it('retries 503 and succeeds on the third try', async () => {
    let calls = 0;
    const s = await startServer((_req, res) => {
      calls++;
      if (calls < 3) res.writeHead(503).end('busy');
      else res.writeHead(200).end('ok');
    });
    try {
      const r = await readUri(`${s.url}/x`, fast);
      expect(r.data.toString()).toBe('ok');
      expect(r.attempts).toBe(3);
      expect(calls).toBe(3);
    } finally {
      await s.close();
    }
  });

  it('gives up after the tries with an unreachable E_FETCH naming the URL and status', async () => {
    let calls = 0;
    const s = await startServer((_req, res) => {
      calls++;
      res.writeHead(502).end();
    });
    try {
      const err = await readUri(`${s.url}/map.json`, { ...fast, tries: 2 }).catch((e: unknown) => e);
      expect(isUnreachableError(err)).toBe(true);
      expect(err).toMatchObject({
        code: 'E_FETCH',
        message: `GET ${s.url}/map.json failed: HTTP 502 Bad Gateway after 2 tries`,
        data: { status: 502, attempts: 2, unreachable: true },
      });
      expect(calls).toBe(2);
    } finally {
      await s.close();
    }
  });

  it('does not retry a 404, and does not call it unreachable', async () => {
    let calls = 0;
    const s = await startServer((_req, res) => {
      calls++;
      res.writeHead(404).end();
    });
    try {
      const err = await readUri(`${s.url}/nope`, fast).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_FETCH', data: { status: 404, unreachable: false } });
      expect(isUnreachableError(err)).toBe(false);
      expect(calls).toBe(1);
    } finally {
      await s.close();
    }
  });

  it('reports a refused connection as unreachable, with the error code', async () => {
    const port = await refusedPort();
    const err = await readUri(`http://127.0.0.1:${port}/x`, { ...fast, tries: 2 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_FETCH', data: { errno: 'ECONNREFUSED', attempts: 2, unreachable: true } });
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
  });

  it('times out a server that never answers, and calls it unreachable', async () => {
    const s = await startServer(() => undefined); // accepts, never responds
    try {
      const started = Date.now();
      const err = await readUri(`${s.url}/slow`, { ...fast, tries: 1, timeoutMs: 300 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_FETCH', data: { unreachable: true } });
      expect((err as Error).message).toMatch(new RegExp(`^GET ${s.url}/slow failed: timed out`));
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await s.close();
    }
  });

  it('ends each try of a server that trickles a byte at a time at the deadline, and all of them in bounded time', async () => {
    // Headers at once, then one byte every 200 ms: no gap ever reaches the timeout, the whole never ends.
    let calls = 0;
    const s = await startServer((_req, res) => {
      calls++;
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => res.write(' '), 200);
      res.on('close', () => clearInterval(timer));
    });
    try {
      const started = Date.now();
      const err = await readUri(`${s.url}/all_latest.json`, { ...fast, tries: 2, timeoutMs: 1000 }).catch((e: unknown) => e);
      const took = Date.now() - started;
      expect(err).toMatchObject({ code: 'E_FETCH', data: { attempts: 2, unreachable: true } });
      expect((err as Error).message).toBe(`GET ${s.url}/all_latest.json failed: timed out: not complete within 1 s (the limit of each try) after 2 tries`);
      expect(calls).toBe(2);
      expect(took).toBeGreaterThanOrEqual(2000);
      expect(took).toBeLessThan(4000);
    } finally {
      await s.close();
    }
  });

  it('ends a try whose headers trickle in at the deadline too', async () => {
    const s = await startServer((req) => {
      // Answer by hand, a byte of the status line every 200 ms.
      const text = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';
      let i = 0;
      const timer = setInterval(() => (i < text.length ? req.socket.write(text[i++]!) : clearInterval(timer)), 200);
      req.socket.on('close', () => clearInterval(timer));
    });
    try {
      const started = Date.now();
      const err = await readUri(`${s.url}/map.json`, { ...fast, tries: 1, timeoutMs: 1000 }).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/timed out/);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await s.close();
    }
  });

  it('still lets the caller abort, without retrying', async () => {
    const s = await startServer(() => undefined);
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      await expect(readUri(`${s.url}/x`, { ...fast, tries: 3, timeoutMs: 10_000, signal: controller.signal })).rejects.toThrow(/abort/i);
    } finally {
      await s.close();
    }
  });

  it('never follows a redirect to file:// or another scheme', async () => {
    const s = await startServer((req, res) => {
      const to = req.url === '/ftp' ? 'ftp://127.0.0.1/map.json' : req.url === '/data' ? 'data:application/json,{}' : 'file:///etc/passwd';
      res.writeHead(302, { location: to }).end();
    });
    try {
      for (const path of ['/file', '/ftp', '/data']) {
        const err = await readUri(`${s.url}${path}`, fast).catch((e: unknown) => e);
        expect(err).toMatchObject({ code: 'E_FETCH', data: { unreachable: false } });
        expect((err as Error).message).toMatch(new RegExp(`^GET ${s.url}${path} failed: refusing redirect to (file|ftp|data):`));
        expect((err as Error).message).not.toContain('root:');
      }
    } finally {
      await s.close();
    }
  });

  it('follows redirects and returns the final URL (relative references resolve against it)', async () => {
    const s = await startServer((req, res) => {
      if (req.url === '/old/map.json') res.writeHead(302, { location: '/new/map.json' }).end();
      else res.writeHead(200).end('moved');
    });
    try {
      const r = await readUri(`${s.url}/old/map.json`, fast);
      expect(r.data.toString()).toBe('moved');
      expect(r.uri).toBe(`${s.url}/new/map.json`);
    } finally {
      await s.close();
    }
  });

  it('refuses a body without end at the default bound, ending the transfer', async () => {
    let sent = 0;
    const s = await startServer((_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(1 << 20, 0x61);
      const more = () => {
        while (sent < 2 ** 31) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
      };
      res.on('error', () => undefined);
      more();
    });
    try {
      await expect(readUri(`${s.url}/endless`, { ...fast, tries: 1 })).rejects.toMatchObject({ code: 'E_FETCH', message: expect.stringContaining(`larger than the ${DEFAULT_MAX_DOCUMENT_BYTES} bytes allowed`) });
      expect(sent).toBeLessThan(DEFAULT_MAX_DOCUMENT_BYTES + (64 << 20));
    } finally {
      await s.close();
    }
  }, 60_000);

  it('refuses bodies over maxBytes', async () => {
    const s = await startServer((_req, res) => res.writeHead(200).end('x'.repeat(1000)));
    try {
      await expect(readUri(`${s.url}/big`, { ...fast, maxBytes: 100 })).rejects.toThrow(/larger than the 100 bytes allowed/);
    } finally {
      await s.close();
    }
  });

  describe('proxies', () => {
    const saved: Record<string, string | undefined> = {};
    const names = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'no_proxy', 'NO_PROXY'];
    beforeEach(() => names.forEach((n) => ((saved[n] = process.env[n]), delete process.env[n])));
    afterEach(() => names.forEach((n) => (saved[n] === undefined ? delete process.env[n] : (process.env[n] = saved[n]))));

    it('ignores http_proxy unless allowProxy, then goes through it', async () => {
      const origin = await startServer((_req, res) => res.writeHead(200).end('direct'));
      // A forward proxy that tunnels CONNECT requests (what the client sends, for http and https targets alike) and records their targets.
      const tunnelled: string[] = [];
      const proxy = await startServer((_req, res) => res.writeHead(405).end());
      proxy.server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
        tunnelled.push(req.url ?? '');
        const [host, port] = (req.url ?? '').split(':');
        const upstream = connect(Number(port), host!, () => {
          client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          upstream.write(head);
          upstream.pipe(client);
          client.pipe(upstream);
        });
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
      });
      const target = new URL(origin.url).host;
      try {
        process.env.http_proxy = proxy.url;
        expect((await readUri(`${origin.url}/m`, fast)).data.toString()).toBe('direct');
        expect(tunnelled).toEqual([]);
        expect((await readUri(`${origin.url}/m`, { ...fast, allowProxy: true })).data.toString()).toBe('direct');
        expect(tunnelled).toEqual([target]);
        process.env.no_proxy = '127.0.0.1';
        expect((await readUri(`${origin.url}/m`, { ...fast, allowProxy: true })).data.toString()).toBe('direct');
        expect(tunnelled).toEqual([target]);
      } finally {
        await origin.close();
        await proxy.close();
      }
    });
  });
});

describe('readUri for local and inline sources', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
  afterAll(() => cleanup());

  it('reads plain paths (returning the absolute path) and file:// URLs', async () => {
    const path = join(dir, 'map.yaml');
    await writeFile(path, 'a: b\n');
    expect(await readUri(path)).toMatchObject({ uri: path, attempts: 1 });
    const url = pathToFileURL(path).href;
    const r = await readUri(url);
    expect(r.data.toString()).toBe('a: b\n');
    expect(r.uri).toBe(url);
  });

  it('reports a missing file as E_FETCH that is not "unreachable"', async () => {
    const err = await readUri(join(dir, 'missing.json')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_FETCH', data: { errno: 'ENOENT', unreachable: false } });
    expect((err as Error).message).toContain(join(dir, 'missing.json'));
  });

  it('refuses what is not a regular file (/dev/zero never ends, a FIFO may block for ever), and a file over maxBytes', async () => {
    await expect(readUri('/dev/zero')).rejects.toMatchObject({ code: 'E_FETCH', message: '/dev/zero is a character device, not a regular file', data: { unreachable: false } });
    const fifo = join(dir, 'map.fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(readUri(pathToFileURL(fifo).href)).rejects.toMatchObject({ code: 'E_FETCH', message: `${fifo} is a FIFO, not a regular file` });
    await writeFile(join(dir, 'big.json'), 'x'.repeat(1000));
    await expect(readUri(join(dir, 'big.json'), { maxBytes: 100 })).rejects.toMatchObject({ code: 'E_FETCH', message: expect.stringContaining('larger than the 100 bytes allowed') });
  });

  it('decodes data: URLs', async () => {
    const r = await readUri('data:application/json;base64,' + Buffer.from('{"x":"y"}').toString('base64'));
    expect(JSON.parse(r.data.toString())).toEqual({ x: 'y' });
    expect(r.contentType).toBe('application/json');
  });

  it('names the supported schemes for anything else', async () => {
    await expect(readUri('ftp://h/x')).rejects.toMatchObject({ code: 'E_UNKNOWN_SCHEME', hint: expect.stringContaining('https:') });
  });
});
