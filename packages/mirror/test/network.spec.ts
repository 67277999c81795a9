import { execFile } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { silentLogger } from '@ovirt-repo/core';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { syncRepo } from '../src/index.js';
import { ensurePluginBuilt } from './helpers/built.js';
import { makeRepo, pkg } from './helpers/fixtures.js';
import { startHttpSource, type HttpSource } from './helpers/http-source.js';
import { expectLatestVerifies, snapshotFiles, snapshotIds } from './helpers/store-checks.js';
import { ovirtRepo } from './helpers/commands.js';

const run = promisify(execFile);

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** A TCP server that accepts connections and never answers. */
async function silentServer(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/**
 * In front of an HttpSource: paths in `slow` get their headers at once, then 3 bytes every 200 ms of the
 * real body (never a gap as long as any idle timeout here), everything else is passed through.
 */
async function trickleProxy(upstream: HttpSource, slow: Set<string>): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    http.get(`${upstream.url}${req.url}`, (up) => {
      const path = decodeURIComponent((req.url ?? '').split('?')[0]!);
      if (!slow.has(path)) {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        const body = Buffer.concat(chunks);
        res.writeHead(200, { 'content-length': String(body.length) });
        let at = 0;
        const timer = setInterval(() => {
          res.write(body.subarray(at, at + 3));
          at += 3;
          if (at >= body.length) clearInterval(timer);
        }, 200);
        res.on('close', () => clearInterval(timer));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function collectingLogger(): { logger: typeof silentLogger; warnings: string[] } {
  const warnings: string[] = [];
  return { logger: { ...silentLogger, warn: (m: string) => void warnings.push(m) }, warnings };
}

describeWithTools(['createrepo_c'], 'mirror sync against slow, failing and hostile servers', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: string;
  let web: string;
  let source: HttpSource;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    store = join(dir, 'store');
    web = join(dir, 'web');
    await mkdir(web);
    source = await startHttpSource(web);
  });
  afterEach(async () => {
    await source.close();
    await cleanup();
  });

  async function primaryPath(repo: string): Promise<string> {
    const name = (await readdir(join(web, repo, 'repodata'))).find((n) => n.includes('-primary.xml'));
    return `/${repo}/repodata/${name}`;
  }

  describe('a server that trickles a few bytes at a time', () => {
    for (const what of ['primary metadata', 'a package'] as const) {
      it(`is cut off when ${what} comes slower than --min-rate, naming the URL and the rate`, async () => {
        await makeRepo(join(web, 'repo'), [pkg('alpha'), pkg('beta', '1.0', '1', 'noarch', { summary: 'x'.repeat(4000) })]);
        const path = what === 'a package' ? '/repo/Packages/beta-1.0-1.noarch.rpm' : await primaryPath('repo');
        const proxy = await trickleProxy(source, new Set([path]));
        try {
          const started = Date.now();
          const err = await syncRepo({ store, repo: 'r', from: [`${proxy.url}/repo/`], timeoutMs: 1000, minRate: 1000, retries: 0 }).catch((e: unknown) => e);
          const took = Date.now() - started;
          expect(err).toMatchObject({ code: 'E_FETCH', target: `${proxy.url}${path}` });
          expect((err as Error).message).toMatch(/too slow: \d+ bytes in 1 s, below the minimum of 1000 bytes\/s/);
          expect(took).toBeLessThan(4000);
          expect(await snapshotIds(store, 'r')).toEqual([]);
        } finally {
          await proxy.close();
        }
      });
    }
  });

  describe('--retries N', () => {
    it('makes N + 1 requests for repomd.xml, a metadata file and a package, then fails publishing nothing', async () => {
      await makeRepo(join(web, 'repo'), [pkg('alpha')]);
      const paths = ['/repo/repodata/repomd.xml', await primaryPath('repo'), '/repo/Packages/alpha-1.0-1.noarch.rpm'];
      for (const retries of [0, 1, 2]) {
        for (const path of paths) {
          source.faults.clear();
          source.faults.set(path, { status: 503, times: 5 });
          source.requests.length = 0;
          const err = await syncRepo({ store, repo: 'r', from: [`${source.url}/repo/`], retries }).catch((e: unknown) => e);
          expect(err).toMatchObject({ code: 'E_FETCH', data: { status: 503 } });
          expect({ path, retries, requests: source.requests.filter((p) => p === path).length }).toEqual({ path, retries, requests: retries + 1 });
          expect(await snapshotIds(store, 'r')).toEqual([]);
        }
      }
    });

    it('publishes when the failures stop within the retries', async () => {
      await makeRepo(join(web, 'repo'), [pkg('alpha')]);
      source.faults.set('/repo/Packages/alpha-1.0-1.noarch.rpm', { status: 503, times: 2 });
      const r = await syncRepo({ store, repo: 'r', from: [`${source.url}/repo/`], retries: 2, workers: 1 });
      expect(r.changed).toBe(true);
      expect(source.requests.filter((p) => p.endsWith('.rpm'))).toHaveLength(3);
      await expectLatestVerifies(store, 'r');
    });

    it('makes N + 1 requests for a mirror list itself', async () => {
      const conf = join(dir, 'ml.repo');
      await writeFile(conf, `[ml]\nmirrorlist=${source.url}/mirrorlist.txt\n`);
      source.faults.set('/mirrorlist.txt', { status: 503 });
      const err = await syncRepo({ store, repo: 'ml', config: { file: conf }, retries: 2 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_FETCH', data: { status: 503 } });
      expect(source.requests).toEqual(Array(3).fill('/mirrorlist.txt'));
    });
  });

  describe('mirror lists', () => {
    it('asks only the first mirror when it answers', async () => {
      await makeRepo(join(web, 'one'), [pkg('alpha')]);
      await makeRepo(join(web, 'two'), [pkg('alpha')]);
      await writeFile(join(web, 'mirrorlist.txt'), `${source.url}/one/\n${source.url}/two/\n`);
      const conf = join(dir, 'ml.repo');
      await writeFile(conf, `[ml]\nmirrorlist=${source.url}/mirrorlist.txt\n`);
      const r = await syncRepo({ store, repo: 'ml', config: { file: conf } });
      expect(r.sources[0]).toMatchObject({ baseUrl: `${source.url}/one/` });
      expect(source.requests.filter((p) => p.startsWith('/two/'))).toEqual([]);
    });

    it('tries the next mirror at once after one fails (a mirror of a list is not retried)', async () => {
      await makeRepo(join(web, 'good'), [pkg('alpha')]);
      await writeFile(join(web, 'mirrorlist.txt'), `${source.url}/busy/\n${source.url}/good/\n`);
      source.faults.set('/busy/repodata/repomd.xml', { status: 503 });
      const conf = join(dir, 'ml.repo');
      await writeFile(conf, `[ml]\nmirrorlist=${source.url}/mirrorlist.txt\n`);
      const { logger, warnings } = collectingLogger();
      const r = await syncRepo({ store, repo: 'ml', config: { file: conf }, retries: 3, logger });
      expect(r.sources[0]).toMatchObject({ baseUrl: `${source.url}/good/` });
      expect(source.requests.filter((p) => p === '/busy/repodata/repomd.xml')).toHaveLength(1);
      expect(warnings).toEqual([expect.stringMatching(new RegExp(`^1 mirror of ${source.url}/mirrorlist.txt failed.*${source.url}/busy/.*503`))]);
    });

    it('gives up on 1,000 mirrors whose port is closed within the budget, naming the list', async () => {
      const port = await closedPort();
      const list = Array.from({ length: 1000 }, (_, i) => `http://127.0.0.1:${port}/m${i}/`).join('\n');
      await writeFile(join(web, 'mirrorlist.txt'), `${list}\n`);
      const conf = join(dir, 'ml.repo');
      await writeFile(conf, `[ml]\nmirrorlist=${source.url}/mirrorlist.txt\n`);
      const started = Date.now();
      const err = await syncRepo({ store, repo: 'ml', config: { file: conf }, mirrorBudgetMs: 2000 }).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(4000);
      expect(err).toMatchObject({ code: 'E_FETCH', target: `${source.url}/mirrorlist.txt` });
      expect((err as Error).message).toMatch(new RegExp(`^no mirror of ${source.url}/mirrorlist.txt could be used \\((1000 of 1000 tried|\\d+ of 1000 tried in the 2 s budget)`));
      expect((err as { data: { failures: string[] } }).data.failures.length).toBeLessThanOrEqual(20);
    });

    it('gives up on 1,000 mirrors that accept and never answer within the budget, trying several at once', async () => {
      const silent = await silentServer();
      try {
        const list = Array.from({ length: 1000 }, (_, i) => `${silent.url}/m${i}/`).join('\n');
        await writeFile(join(web, 'mirrorlist.txt'), `${list}\n`);
        const conf = join(dir, 'ml.repo');
        await writeFile(conf, `[ml]\nmirrorlist=${source.url}/mirrorlist.txt\n`);
        const started = Date.now();
        const err = await syncRepo({ store, repo: 'ml', config: { file: conf }, mirrorBudgetMs: 2000 }).catch((e: unknown) => e);
        expect(Date.now() - started).toBeLessThan(4000);
        expect(err).toMatchObject({ code: 'E_FETCH', target: `${source.url}/mirrorlist.txt` });
        expect((err as Error).message).toMatch(/ of 1000 tried in the 2 s budget/);
        expect((err as { hint: string }).hint).toMatch(/--mirror-budget/);
        expect(silent.connections()).toBeGreaterThan(1);
      } finally {
        await silent.close();
      }
    });

    it('uses a mirror that answers while others hang', async () => {
      const silent = await silentServer();
      try {
        await makeRepo(join(web, 'good'), [pkg('alpha')]);
        await writeFile(join(web, 'mirrorlist.txt'), `${silent.url}/a/\n${silent.url}/b/\n${source.url}/good/\n`);
        const conf = join(dir, 'ml.repo');
        await writeFile(conf, `[ml]\nmirrorlist=${source.url}/mirrorlist.txt\n`);
        const started = Date.now();
        const r = await syncRepo({ store, repo: 'ml', config: { file: conf }, mirrorBudgetMs: 30_000 });
        expect(r.sources[0]).toMatchObject({ baseUrl: `${source.url}/good/` });
        expect(Date.now() - started).toBeLessThan(10_000);
      } finally {
        await silent.close();
      }
    });
  });

  describe('what a remote mirror list or metalink names', () => {
    /** A repo on this machine that a hostile list points at; syncing it would copy its package into the store. */
    async function localSecretRepo(): Promise<string> {
      return makeRepo(join(dir, 'secret'), [pkg('secret')]);
    }

    it('a remote mirrorlist naming file:// URLs and paths: they are skipped with a warning, never read', async () => {
      const secret = await localSecretRepo();
      await writeFile(join(web, 'mirrorlist.txt'), `${pathToFileURL(secret).href}/\n${secret}/\nFILE://${secret}/\n`);
      const conf = join(dir, 'ml.repo');
      await writeFile(conf, `[ml]\nmirrorlist=${source.url}/mirrorlist.txt\n`);
      const { logger, warnings } = collectingLogger();
      const err = await syncRepo({ store, repo: 'ml', config: { file: conf }, logger }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_FETCH', message: `mirrorlist ${source.url}/mirrorlist.txt lists no usable mirror`, hint: expect.stringContaining('http(s)') });
      expect(warnings).toEqual([`mirrorlist ${source.url}/mirrorlist.txt: skipped 2 entries that are not http(s) URLs (a remote list may not name local files): ${pathToFileURL(secret).href}/, FILE://${secret}/`]);
      expect(await snapshotIds(store, 'ml')).toEqual([]);
    });

    it('a remote mirrorlist mixing file:// and http(s) mirrors: only the http(s) ones are used', async () => {
      const secret = await localSecretRepo();
      await makeRepo(join(web, 'good'), [pkg('alpha')]);
      await writeFile(join(web, 'mirrorlist.txt'), `${pathToFileURL(secret).href}/\n${source.url}/good/\n`);
      const conf = join(dir, 'ml.repo');
      await writeFile(conf, `[ml]\nmirrorlist=${source.url}/mirrorlist.txt\n`);
      const r = await syncRepo({ store, repo: 'ml', config: { file: conf } });
      expect(r.sources[0]).toMatchObject({ baseUrl: `${source.url}/good/` });
      expect(await snapshotFiles(store, 'ml', r.snapshot!)).toEqual(['alpha-1.0-1.noarch.rpm']);
    });

    it('a remote metalink naming file:// URLs: they are never used', async () => {
      const secret = await localSecretRepo();
      await writeFile(
        join(web, 'metalink.xml'),
        `<?xml version="1.0" encoding="utf-8"?>
<metalink version="3.0" xmlns="http://www.metalinker.org/">
 <files><file name="repomd.xml"><resources>
  <url protocol="file" type="file" preference="100">${pathToFileURL(secret).href}/repodata/repomd.xml</url>
 </resources></file></files>
</metalink>
`,
      );
      const conf = join(dir, 'ml.repo');
      await writeFile(conf, `[ml]\nmetalink=${source.url}/metalink.xml\n`);
      const err = await syncRepo({ store, repo: 'ml', config: { file: conf } }).catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 'E_REPODATA_INVALID',
        message: `metalink ${source.url}/metalink.xml lists no http(s) mirror for repomd.xml (1 other URL skipped: a metalink may only name http(s) mirrors)`,
      });
      expect(await snapshotIds(store, 'ml')).toEqual([]);
    });

    it('a local mirrorlist the user named may list local mirrors', async () => {
      const local = await makeRepo(join(dir, 'local'), [pkg('alpha')]);
      await writeFile(join(dir, 'mirrorlist.txt'), `${pathToFileURL(local).href}/\n`);
      const conf = join(dir, 'ml.repo');
      await writeFile(conf, `[ml]\nmirrorlist=${pathToFileURL(join(dir, 'mirrorlist.txt')).href}\n`);
      const r = await syncRepo({ store, repo: 'ml', config: { file: conf } });
      expect(r).toMatchObject({ changed: true, packages: 1 });
    });
  });
});

describeWithTools(['createrepo_c', 'openssl'], 'mirror sync network limits in the ovirt-repo binary', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let source: HttpSource;
  beforeAll(async () => {
    ensurePluginBuilt();
    ({ dir, cleanup } = await makeTempDir());
    await mkdir(join(dir, 'web'));
    source = await startHttpSource(join(dir, 'web'));
  });
  afterAll(async () => {
    await source.close();
    await cleanup();
  });

  it('takes --mirror-budget over sync.mirrorBudget in ovirt-repo.yaml, and names the budget it ran out of', async () => {
    const silent = await silentServer();
    try {
      await writeFile(join(dir, 'web', 'slow-list.txt'), `${silent.url}/a/\n${silent.url}/b/\n`);
      await writeFile(join(dir, 'ml.repo'), `[ml]\nmirrorlist=${source.url}/slow-list.txt\n`);
      const config = join(dir, 'ovirt-repo.yaml');
      await writeFile(config, `store: store\nsync:\n  mirrorBudget: 1s\n`);
      const env = { OVIRT_REPO_CONFIG: config };
      const fromFile = await ovirtRepo(['mirror', 'sync', 'ml', '--config', join(dir, 'ml.repo'), '--json'], env);
      expect(fromFile.code).toBe(1);
      expect(JSON.parse(fromFile.stdout).error).toMatchObject({ code: 'E_FETCH', message: expect.stringMatching(/ \(\d of 2 tried in the 1 s budget\)$/) });
      const fromFlag = await ovirtRepo(['mirror', 'sync', 'ml', '--config', join(dir, 'ml.repo'), '--mirror-budget', '2s'], env);
      expect(fromFlag.code).toBe(1);
      expect(fromFlag.stderr).toMatch(/Error \[E_FETCH\]: no mirror of .*slow-list\.txt could be used \(2 of 2 tried in the 2 s budget\)/);
      expect(fromFlag.stderr).toContain('--mirror-budget');
    } finally {
      await silent.close();
    }
  });

  it('reports skipped local entries of a remote mirrorlist in --json warnings too', async () => {
    await makeRepo(join(dir, 'web', 'good'), [pkg('alpha')]);
    await writeFile(join(dir, 'web', 'mixed-list.txt'), `file:///etc/\n${source.url}/good/\n`);
    await writeFile(join(dir, 'mixed.repo'), `[mixed]\nmirrorlist=${source.url}/mixed-list.txt\n`);
    const r = await ovirtRepo(['mirror', 'sync', 'mixed', '--config', join(dir, 'mixed.repo'), '--store', join(dir, 'store2'), '--json']);
    expect(r.code).toBe(0);
    const expected = `mirrorlist ${source.url}/mixed-list.txt: skipped 1 entry that is not an http(s) URL (a remote list may not name local files): file:///etc/`;
    expect(JSON.parse(r.stdout)).toMatchObject({ changed: true, warnings: [expected] });
    const human = await ovirtRepo(['mirror', 'sync', 'mixed', '--config', join(dir, 'mixed.repo'), '--store', join(dir, 'store2')]);
    expect(human.code).toBe(0);
    expect(human.stderr).toContain(`Warning: ${expected}`);
  });

  it('verifies TLS certificates even when NODE_TLS_REJECT_UNAUTHORIZED=0 is set', async () => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
    const server = https.createServer({ key: await readFile(key), cert: await readFile(cert) }, (_req, res) => res.writeHead(200).end('not reached'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/repo/`;
      const r = await ovirtRepo(['mirror', 'sync', 'tls', '--from', url, '--store', join(dir, 'tls-store'), '--retries', '0', '--json'], { NODE_TLS_REJECT_UNAUTHORIZED: '0' });
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'E_FETCH', message: expect.stringContaining(url), hint: expect.stringMatching(/certificate/) });
    } finally {
      server.close();
    }
  });

  it('documents the network flags in --help', async () => {
    // FORCE_COLOR, as Nx sets it for its tasks, would underline the flags' values.
    const help = await ovirtRepo(['mirror', 'sync', '--help'], { FORCE_COLOR: '0' });
    expect(help.stdout).toMatch(/--min-rate=BYTES/);
    expect(help.stdout).toMatch(/--mirror-budget=DURATION/);
    expect(help.stdout).toContain('--mirror-budget 10m --min-rate 200');
  });
});
