import http from 'node:http';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@ovirt-repo/test-support';
import { parseRange, startStoreServer, type StoreServer } from './static-server.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Raw request: the path goes on the wire exactly as given (no client-side normalisation). */
function request(server: StoreServer, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: server.host, port: server.port, path, method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('latin1') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('store server', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let server: StoreServer;
  const body = '0123456789abcdefghij';

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    const store = join(dir, 'store');
    await mkdir(join(store, 'pool', 'ab', 'abcd'), { recursive: true });
    await writeFile(join(store, 'pool', 'ab', 'abcd', 'foo+1^2.noarch.rpm'), body);
    await mkdir(join(store, 'yum', 'el9', '20260101T000000.000Z', 'repodata'), { recursive: true });
    await writeFile(join(store, 'yum', 'el9', '20260101T000000.000Z', 'repodata', 'repomd.xml'), '<repomd/>');
    await symlink('../../../pool', join(store, 'yum', 'el9', '20260101T000000.000Z', 'pool'));
    await writeFile(join(store, 'yum', 'el9', 'latest.txt'), '20260101T000000.000Z\n');
    await writeFile(join(store, 'yum', 'el9', '.latest.txt.tmp-1-abcdef01'), 'temp');
    await mkdir(join(store, 'locks'));
    await writeFile(join(store, 'locks', 'repo-el9.lock'), '{}');
    await mkdir(join(store, 'cache', 'el9', 'metadata'), { recursive: true });
    await writeFile(join(store, 'cache', 'el9', 'metadata', 'abc'), '<package/>');
    await writeFile(join(dir, 'secret.txt'), 'outside');
    await symlink(join(dir, 'secret.txt'), join(store, 'yum', 'escape.txt'));
    await symlink('..', join(store, 'yum', 'up'));
    server = await startStoreServer({ root: store, port: 0 });
  });
  afterAll(async () => {
    await server.close();
    await cleanup();
  });

  it('serves files through the snapshot pool symlink, with type, length, ETag and Last-Modified', async () => {
    const r = await request(server, '/yum/el9/20260101T000000.000Z/pool/ab/abcd/foo%2B1%5E2.noarch.rpm');
    expect(r.status).toBe(200);
    expect(r.body).toBe(body);
    expect(r.headers['content-type']).toBe('application/x-rpm');
    expect(r.headers['content-length']).toBe(String(body.length));
    expect(r.headers.etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+"$/);
    expect(r.headers['last-modified']).toBeDefined();
    expect(r.headers['accept-ranges']).toBe('bytes');
    const x = await request(server, '/yum/el9/20260101T000000.000Z/repodata/repomd.xml');
    expect(x.headers['content-type']).toBe('application/xml');
    expect((await request(server, '/yum/el9/latest.txt')).headers['cache-control']).toBe('no-cache');
  });

  it('lets caches keep packages and snapshot files for good, and revalidate pointers', async () => {
    const immutable = 'public, max-age=31536000, immutable';
    const headers = async (path: string) => (await request(server, path, { method: 'HEAD' })).headers['cache-control'];
    expect(await headers('/yum/el9/20260101T000000.000Z/pool/ab/abcd/foo%2B1%5E2.noarch.rpm')).toBe(immutable);
    expect(await headers('/pool/ab/abcd/foo%2B1%5E2.noarch.rpm')).toBe(immutable);
    expect(await headers('/yum/el9/20260101T000000.000Z/repodata/repomd.xml')).toBe(immutable);
    expect(await headers('/yum/el9/latest.txt')).toBe('no-cache');
  });

  it('answers HEAD without a body', async () => {
    const r = await request(server, '/pool/ab/abcd/foo+1%5E2.noarch.rpm', { method: 'HEAD' });
    expect(r.status).toBe(200);
    expect(r.headers['content-length']).toBe(String(body.length));
    expect(r.body).toBe('');
  });

  it('serves byte ranges and refuses unsatisfiable ones', async () => {
    const path = '/pool/ab/abcd/foo+1%5E2.noarch.rpm';
    let r = await request(server, path, { headers: { range: 'bytes=2-5' } });
    expect([r.status, r.body, r.headers['content-range']]).toEqual([206, '2345', `bytes 2-5/${body.length}`]);
    r = await request(server, path, { headers: { range: 'bytes=-3' } });
    expect([r.status, r.body]).toEqual([206, 'hij']);
    r = await request(server, path, { headers: { range: 'bytes=15-' } });
    expect([r.status, r.body]).toEqual([206, 'fghij']);
    r = await request(server, path, { headers: { range: 'bytes=100-' } });
    expect([r.status, r.headers['content-range']]).toEqual([416, `bytes */${body.length}`]);
    r = await request(server, path, { headers: { range: 'bytes=0-1,4-5' } });
    expect([r.status, r.body]).toEqual([200, body]);
    r = await request(server, path, { headers: { range: 'bytes=0-1', 'if-range': '"stale"' } });
    expect(r.status).toBe(200);
  });

  it('answers conditional requests with 304', async () => {
    const path = '/pool/ab/abcd/foo+1%5E2.noarch.rpm';
    const first = await request(server, path);
    expect((await request(server, path, { headers: { 'if-none-match': first.headers.etag! } })).status).toBe(304);
    expect((await request(server, path, { headers: { 'if-modified-since': first.headers['last-modified']! } })).status).toBe(304);
    expect((await request(server, path, { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
  });

  it.each([
    '/../secret.txt',
    '/yum/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/yum/%2E%2E/%2e%2e/secret.txt',
    '/yum/..%2f..%2fsecret.txt',
    '/yum/..%5c..%5csecret.txt',
    '/yum/escape.txt',
    '/yum/up/secret.txt',
    '/yum/el9/20260101T000000.000Z/pool/../../../../../secret.txt',
    '/yum/el9/.latest.txt.tmp-1-abcdef01',
    '/locks/repo-el9.lock',
    '/cache/el9/metadata/abc',
    '/cache/',
    '/%00',
    '/bad%zz',
  ])('never serves anything outside the store, temp files, locks or the cache: %s', async (path) => {
    const r = await request(server, path);
    expect([400, 404]).toContain(r.status);
    expect(r.body).not.toContain('outside');
  });

  it('redirects directories to a trailing slash and lists them, hiding dot files, locks and the cache', async () => {
    const r = await request(server, '/yum/el9');
    expect([r.status, r.headers.location]).toEqual([301, '/yum/el9/']);
    const list = await request(server, '/yum/el9/');
    expect(list.status).toBe(200);
    expect(list.body).toContain('latest.txt');
    expect(list.body).toContain('20260101T000000.000Z/');
    expect(list.body).not.toContain('.tmp-');
    const root = await request(server, '/');
    expect(root.body).toContain('pool/');
    expect(root.body).not.toContain('locks');
    expect(root.body).not.toContain('cache');
  });

  it("shows a directory's index.html (the status pages) instead of a listing, never one leading outside", async () => {
    await mkdir(join(dir, 'store', 'yum', 'paged'));
    await writeFile(join(dir, 'store', 'yum', 'paged', 'index.html'), '<h1>status</h1>');
    const page = await request(server, '/yum/paged/');
    expect([page.status, page.body, page.headers['content-type'], page.headers['cache-control']]).toEqual([200, '<h1>status</h1>', 'text/html; charset=utf-8', 'no-cache']);
    await mkdir(join(dir, 'store', 'yum', 'evil'));
    await writeFile(join(dir, 'outside.html'), 'outside');
    await symlink(join(dir, 'outside.html'), join(dir, 'store', 'yum', 'evil', 'index.html'));
    const evil = await request(server, '/yum/evil/');
    expect(evil.body).not.toContain('outside');
  });

  it('is read-only', async () => {
    for (const method of ['PUT', 'POST', 'DELETE']) expect((await request(server, '/yum/el9/latest.txt', { method })).status).toBe(405);
  });

  it('parses ranges', () => {
    expect(parseRange('bytes=0-0', 10)).toEqual([0, 0]);
    expect(parseRange('bytes=5-100', 10)).toEqual([5, 9]);
    expect(parseRange('bytes=-0', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=5-2', 10)).toBeUndefined();
    expect(parseRange('items=1-2', 10)).toBeUndefined();
  });
});
