import http from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@ovirt-repo/test-support';
import { startStoreServer, type StoreServer } from './static-server.js';

/** A raw request, so the test controls the request line and headers byte for byte. */
function request(server: StoreServer, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: server.host, port: server.port, path, method, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end();
  });
}

const COMBINED = /^127\.0\.0\.1 - - \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "([^"]*)" (\d{3}) (\d+) "([^"]*)" "([^"]*)"$/;

describe('serve access log (nginx combined format)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let server: StoreServer;
  const lines: string[] = [];
  const body = '0123456789abcdefghij';

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir('serve-log-'));
    await mkdir(join(dir, 'store', 'yum'), { recursive: true });
    await writeFile(join(dir, 'store', 'yum', 'f.txt'), body);
    server = await startStoreServer({ root: join(dir, 'store'), port: 0, accessLog: { write: (line) => lines.push(line) } });
  });
  afterAll(async () => {
    await server?.close();
    await cleanup?.();
  });

  /** The log line of the request just answered (lines are written when an answer is done). */
  const last = async () => {
    for (let i = 0; i < 50 && lines.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const line = lines.shift();
    expect(line?.endsWith('\n')).toBe(true);
    return COMBINED.exec(line!.slice(0, -1))?.slice(1);
  };

  it('logs each answer with its request line, status, body bytes, referer and user agent', async () => {
    expect(await request(server, '/yum/f.txt', { 'user-agent': 'libdnf (Fedora 40)', referer: 'http://ci.example.org/' })).toBe(200);
    expect(await last()).toEqual(['GET /yum/f.txt HTTP/1.1', '200', String(body.length), 'http://ci.example.org/', 'libdnf (Fedora 40)']);
    expect(await request(server, '/yum/f.txt', { range: 'bytes=5-9' })).toBe(206);
    expect(await last()).toEqual(['GET /yum/f.txt HTTP/1.1', '206', '5', '-', '-']);
    expect(await request(server, '/yum/f.txt', {}, 'HEAD')).toBe(200);
    expect(await last()).toEqual(['HEAD /yum/f.txt HTTP/1.1', '200', '0', '-', '-']);
    expect(await request(server, '/nope')).toBe(404);
    expect((await last())?.slice(0, 2)).toEqual(['GET /nope HTTP/1.1', '404']);
  });

  it('escapes what the client sent (quotes, backslashes, bytes outside ASCII) so it cannot forge a line', async () => {
    expect(await request(server, '/yum/f.txt', { 'user-agent': 'evil" 200 0 "x\\ \u00e9' })).toBe(200);
    expect((await last())?.[4]).toBe('evil\\x22 200 0 \\x22x\\x5C \\xE9');
  });
});
