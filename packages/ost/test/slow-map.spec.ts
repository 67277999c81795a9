import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { makeTempDir } from '@ovirt-repo/test-support';
import { injectFiles } from '../src/lib/inject.js';
import { verifyLock } from '../src/lib/lock/verify.js';
import { REPOSYNC_CONFIG } from './fixtures/configs.js';

/**
 * A map server whose paths either answer at once or trickle: headers first, then one byte of the body every
 * 300 ms (no gap ever near a timeout; the whole never arrives in time). Requests are counted per path.
 */
async function mapServer(fast: Record<string, string>, slow: Record<string, string>): Promise<{ url: string; hits: Map<string, number>; close: () => Promise<void> }> {
  const hits = new Map<string, number>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const body = fast[path] ?? slow[path];
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
    if (path in fast) return void res.end(body);
    let at = 0;
    const timer = setInterval(() => {
      if (at < body.length) res.write(body[at++]!);
      else clearInterval(timer);
    }, 300);
    res.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Short limits, so each test takes seconds: 2 tries of 1 s each. The defaults are 3 tries of 30 s. */
const http = { tries: 2, timeoutMs: 1000, retryDelayMs: 10 };

describe('inject and lock verify against a map server that trickles', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    await writeFile(join(dir, 'reposync-config.repo'), REPOSYNC_CONFIG);
  });
  afterEach(() => cleanup());

  const map = (extra: Record<string, unknown> = {}) => JSON.stringify({ latest_ci_repos: { 'centos-base-el7': 'http://mirrors.example.org/yum/centos-base-el7/S1', ...extra } });

  it('a trickled map ends after its tries, warns that it is unreachable and leaves every file unchanged', async () => {
    const server = await mapServer({}, { '/all_latest.json': map() });
    try {
      const started = Date.now();
      const result = await injectFiles({ files: ['*.repo'], mirrors: `${server.url}/all_latest.json`, cwd: dir, http, lockOut: 'run.lock.json' });
      const took = Date.now() - started;
      expect(result.status).toBe('unreachable');
      expect(result.warnings).toEqual([
        `mirror map unreachable, configs left unchanged: GET ${server.url}/all_latest.json failed: timed out: not complete within 1 s (the limit of each try) after 2 tries`,
      ]);
      expect(server.hits.get('/all_latest.json')).toBe(2);
      expect(took).toBeGreaterThanOrEqual(2000);
      expect(took).toBeLessThan(5000);
      expect(await readFile(join(dir, 'reposync-config.repo'), 'utf8')).toBe(REPOSYNC_CONFIG);
    } finally {
      await server.close();
    }
  });

  it('with --strict, a trickled map is an E_FETCH error, in bounded time', async () => {
    const server = await mapServer({}, { '/all_latest.json': map() });
    try {
      const started = Date.now();
      const err = await injectFiles({ files: ['*.repo'], mirrors: `${server.url}/all_latest.json`, cwd: dir, http, strict: true }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_FETCH', target: `${server.url}/all_latest.json`, data: { unreachable: true, attempts: 2 } });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(await readFile(join(dir, 'reposync-config.repo'), 'utf8')).toBe(REPOSYNC_CONFIG);
    } finally {
      await server.close();
    }
  });

  it('a trickled include ends the same way, and the map is not applied in part', async () => {
    const server = await mapServer({ '/all_latest.json': map({ 'include:': ['extra.json'] }) }, { '/extra.json': map() });
    try {
      const started = Date.now();
      const result = await injectFiles({ files: ['*.repo'], mirrors: `${server.url}/all_latest.json`, cwd: dir, http });
      expect(result.status).toBe('unreachable');
      expect(result.warnings[0]).toContain(`GET ${server.url}/extra.json failed: timed out: not complete within 1 s`);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(await readFile(join(dir, 'reposync-config.repo'), 'utf8')).toBe(REPOSYNC_CONFIG);
    } finally {
      await server.close();
    }
  });

  it('lock verify of a snapshot whose repomd.xml trickles reports it unreachable in bounded time', async () => {
    const repomd = '<repomd/>\n';
    const snapshot = '/yum/centos-base-el7/S1';
    const fast = await mapServer({ '/all_latest.json': JSON.stringify({ latest_ci_repos: {} }), [`${snapshot}/repodata/repomd.xml`]: repomd }, {});
    const slow = await mapServer({}, { [`${snapshot}/repodata/repomd.xml`]: repomd });
    try {
      // The lock records the snapshot as served by the fast server; then the same path trickles.
      const served = { latest_ci_repos: { 'centos-base-el7': `${fast.url}${snapshot}` } };
      await writeFile(join(dir, 'map.json'), JSON.stringify(served));
      await injectFiles({ files: ['*.repo'], mirrors: join(dir, 'map.json'), cwd: dir, http, lockOut: 'run.lock.json' });
      const lock = join(dir, 'run.lock.json');
      await writeFile(lock, (await readFile(lock, 'utf8')).replaceAll(fast.url, slow.url));
      const started = Date.now();
      const result = await verifyLock(lock, { http });
      expect(result.ok).toBe(false);
      expect(result.entries.find((e) => e.repo === 'centos-base-el7')).toMatchObject({
        status: 'unreachable',
        error: expect.stringContaining('timed out: not complete within 1 s (the limit of each try) after 2 tries'),
      });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await fast.close();
      await slow.close();
    }
  });
});
