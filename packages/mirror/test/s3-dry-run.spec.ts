import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createS3Client, type S3Client } from '@ovirt-repo/core';
import { describeWithS3, describeWithTools, makeTempDir, s3TestClientSettings, s3TestEnv, s3TestPrefix, type S3TestServer } from '@ovirt-repo/test-support';
import type { SyncResult } from '../src/lib/sync/options.js';
import { ensurePluginBuilt } from './helpers/built.js';
import { ovirtRepo } from './helpers/commands.js';
import { fileTree } from './helpers/file-tree.js';
import { makeRepo, pkg } from './helpers/fixtures.js';

/** A pass-through HTTP proxy to the S3 endpoint that records the method of every request sent through it. */
async function recordingProxy(endpoint: string): Promise<{ url: string; methods: string[]; close(): Promise<void> }> {
  const upstream = new URL(endpoint);
  const methods: string[] = [];
  const server: Server = createServer((req, res) => {
    methods.push(req.method ?? '?');
    // Host unchanged: the request's signature covers it.
    const up = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    methods,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

/**
 * `mirror sync --dry-run --store s3://` against Ceph RGW: every request it sends is a GET or a HEAD (none
 * writes, not even a lease written and removed again), every object is as it was, and this host's cache
 * for the store too.
 */
describeWithTools(['createrepo_c'], 'mirror sync --dry-run into an s3:// store', () => {
  describeWithS3('mirror sync --dry-run into an s3:// store, against Ceph RGW', (server: S3TestServer) => {
    const root = s3TestPrefix().replace(/\/$/, '');
    let dir: string;
    let cleanup: () => Promise<void>;
    let client: S3Client;

    const run = async (args: string[], endpoint = server.endpoint) => {
      const r = await ovirtRepo([...args, '--json'], { ...s3TestEnv(server, endpoint), XDG_CACHE_HOME: join(dir, 'xdg') });
      expect({ code: r.code, stderr: r.stderr, stdout: r.code ? r.stdout : '' }).toEqual({ code: 0, stderr: '', stdout: '' });
      return JSON.parse(r.stdout) as SyncResult;
    };
    /** Every object below the store: key -> size, etag and time of last change. */
    const objects = async (location: string) => {
      const out: Record<string, string> = {};
      for await (const e of client.list(server.bucket, { prefix: `${location}/` })) out[e.key] = `${e.size} ${e.etag ?? ''} ${e.lastModifiedMs ?? ''}`;
      return out;
    };

    beforeAll(async () => {
      ensurePluginBuilt();
      ({ dir, cleanup } = await makeTempDir('s3-dry-run-'));
      client = createS3Client({ settings: s3TestClientSettings(server) });
    });
    afterAll(async () => {
      for await (const e of client.list(server.bucket, { prefix: `${root}/` })) await client.delete(server.bucket, e.key);
      client.close();
      await cleanup();
    });

    it('sends only GET and HEAD, on a first sync and a re-sync, and reports what the sync then does', async () => {
      const prefix = `${root}/dry`;
      const store = ['--store', `s3://${server.bucket}/${prefix}`, '--base-url', 'https://repos.example.org/ci'];
      const v1 = await makeRepo(join(dir, 'v1'), [pkg('alpha'), pkg('beta')]);
      const v2 = await makeRepo(join(dir, 'v2'), [pkg('alpha', '2.0'), pkg('beta'), pkg('gamma')]);
      const proxy = await recordingProxy(server.endpoint);
      try {
        const first = await run(['mirror', 'sync', 'el9', '--from', v1, ...store, '--dry-run'], proxy.url);
        expect(first).toMatchObject({ dryRun: true, changed: true, previous: null, added: 2, downloaded: { count: 2 } });
        expect(await objects(prefix)).toEqual({});
        const made = await run(['mirror', 'sync', 'el9', '--from', v1, ...store]);
        expect(made).toMatchObject({ dryRun: false, changed: true, added: first.added, downloaded: first.downloaded });

        const before = { objects: await objects(prefix), cache: await fileTree(join(dir, 'xdg')) };
        expect(Object.keys(before.objects).length).toBeGreaterThan(0);
        proxy.methods.length = 0;
        const dry = await run(['mirror', 'sync', 'el9', '--from', v2, ...store, '--dry-run'], proxy.url);
        expect(dry).toMatchObject({ dryRun: true, changed: true, previous: made.snapshot, changes: { added: ['alpha-2.0-1.noarch', 'gamma-1.0-1.noarch'], removed: ['alpha-1.0-1.noarch'] } });
        expect(proxy.methods.length).toBeGreaterThan(0);
        expect([...new Set(proxy.methods)].filter((m) => m !== 'GET' && m !== 'HEAD')).toEqual([]);
        expect({ objects: await objects(prefix), cache: await fileTree(join(dir, 'xdg')) }).toEqual(before);

        const real = await run(['mirror', 'sync', 'el9', '--from', v2, ...store]);
        expect([real.added, real.removed, real.changes, real.packages, real.bytes, real.downloaded]).toEqual([dry.added, dry.removed, dry.changes, dry.packages, dry.bytes, dry.downloaded]);
      } finally {
        await proxy.close();
      }
    }, 120_000);
  });
});
