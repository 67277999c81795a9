import { createServer, type Server } from 'node:http';
import { access, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { hashBuffer } from '@ovirt-repo/core';
import { makeTempDir } from '@ovirt-repo/test-support';
import { downloadVerified } from './download.js';

describe('downloadVerified over HTTP', () => {
  const body = Buffer.from('package bytes\n');
  const expected = { checksum: hashBuffer(body, 'sha256'), size: body.length };
  let server: Server;
  let base: string;
  const hits = new Map<string, number>();
  let dir: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const n = (hits.get(req.url ?? '') ?? 0) + 1;
      hits.set(req.url ?? '', n);
      if (req.url === '/flaky.rpm' && n === 1) return void res.writeHead(503).end();
      if (req.url === '/moved.rpm') return void res.writeHead(302, { location: '/ok.rpm' }).end();
      if (req.url === '/ok.rpm' || req.url === '/flaky.rpm') return void res.end(body);
      if (req.url === '/other.rpm') return void res.end('other bytes');
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(async () => ({ dir } = await makeTempDir('download-')));

  it('downloads and verifies, following redirects and retrying a transient failure', async () => {
    for (const name of ['ok', 'moved', 'flaky']) {
      const dest = join(dir, `${name}.rpm`);
      expect(await downloadVerified(`${base}/${name}.rpm`, dest, expected)).toEqual({ ...expected.checksum, size: body.length });
      expect(await readFile(dest)).toEqual(body);
    }
    expect(hits.get('/flaky.rpm')).toBe(2);
  });

  it('fails on a checksum mismatch and removes what it wrote; a 404 is not retried', async () => {
    const dest = join(dir, 'bad.rpm');
    await expect(downloadVerified(`${base}/other.rpm`, dest, { checksum: expected.checksum })).rejects.toMatchObject({ code: 'E_CHECKSUM_MISMATCH' });
    await expect(access(dest)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(downloadVerified(`${base}/missing.rpm`, dest, expected)).rejects.toMatchObject({ code: 'E_FETCH', message: expect.stringContaining('404') });
    expect(hits.get('/missing.rpm')).toBe(1);
  });
});
