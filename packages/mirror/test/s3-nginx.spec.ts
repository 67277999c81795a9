import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { createS3Client, type S3Client } from '@ovirt-repo/core';
import {
  describeWithS3,
  describeWithTools,
  makeTempDir,
  publicTestBucket,
  s3TestClientSettings,
  s3TestEnv,
  s3TestPrefix,
  startNginxSite,
  type NginxServer,
  type S3TestServer,
} from '@ovirt-repo/test-support';
import { ensurePluginBuilt, repoRoot } from './helpers/built.js';
import { ovirtRepo } from './helpers/commands.js';
import { dnfReader } from './helpers/dnf.js';
import { makeRepo, pkg } from './helpers/fixtures.js';

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The nginx configuration docs/mirror.md shows under "Serving an S3 store", as it is written there. */
function documentedConfig(): string {
  const page = readFileSync(join(repoRoot, 'docs', 'mirror.md'), 'utf8');
  const section = page.slice(page.indexOf('### Serving an S3 store'));
  const block = /```nginx\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('docs/mirror.md: no ```nginx block under "### Serving an S3 store"');
  return block;
}

/** `text` with each `from` replaced by its `to`; a `from` the text does not hold is an error (the doc changed). */
function substitute(text: string, pairs: [string, string][]): string {
  for (const [from, to] of pairs) {
    if (!text.includes(from)) throw new Error(`docs/mirror.md's nginx configuration has no "${from}" to substitute`);
    text = text.replaceAll(from, to);
  }
  return text;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One request with `path` sent exactly as given (fetch would resolve `..` and `%2e` itself). */
function send(base: string, path: string, method = 'GET', headers: Record<string, string> = {}): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method, headers, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 10 s`)));
    req.on('error', reject);
    req.end(method === 'PUT' || method === 'POST' ? 'x' : undefined);
  });
}

/**
 * Readers stay plain dnf over HTTP: nginx in front of the bucket of an s3:// store, configured with the
 * configuration docs/mirror.md shows (only the addresses, the bucket and the cache directory substituted),
 * against Ceph RGW with anonymous read by bucket policy; the store written by the real binary.
 */
describeWithTools(['createrepo_c', 'dnf', 'nginx', 'rpm'], 'nginx in front of an s3:// store', () => {
  describeWithS3('nginx in front of an s3:// store, against Ceph RGW', (server: S3TestServer) => {
    const env = s3TestEnv(server);
    const prefix = s3TestPrefix();
    let bucket: string;
    let location: string;
    let dir: string;
    let cleanup: () => Promise<void>;
    let client: S3Client;
    let nginx: NginxServer;
    /** nginx's URL of the store (the doc's location /store/). */
    let storeUrl: string;
    /** The snapshots the two deploys made, oldest first. */
    let ids: string[];

    /** The real binary with --json on the store; the index names snapshots at nginx's URL. */
    const sync = async (from: string, mode: 'mirror' | 'additive', repo = 'el9') => {
      const r = await ovirtRepo(['mirror', 'sync', repo, '--mode', mode, '--from', from, '--store', location, '--base-url', storeUrl, '--json'], { ...env, XDG_CACHE_HOME: join(dir, 'xdg') });
      expect([r.code, r.stderr]).toEqual([0, '']);
      return JSON.parse(r.stdout) as { snapshot: string; packages: number };
    };
    /** Store key -> object key in the bucket. */
    const objectKey = (key: string) => `${prefix}store/${key}`;
    /** Every store key below `below` ('' for all) in the bucket, as the writers' client lists them. */
    const keysBelow = async (below: string) => {
      const out: string[] = [];
      for await (const e of client.list(bucket, { prefix: objectKey(below) })) out.push(e.key.slice(objectKey('').length));
      return out.sort();
    };
    /** The cache status nginx logged for the last request of `path`. */
    const cacheStatusOf = async (path: string) => {
      const lines = (await nginx.accessLog()).split('\n').filter((l) => l.includes(`"GET ${path} HTTP/1.1"`) || l.includes(`"HEAD ${path} HTTP/1.1"`));
      return / cache=(\S+)$/.exec(lines.at(-1) ?? '')?.[1];
    };

    beforeAll(async () => {
      ensurePluginBuilt();
      ({ dir, cleanup } = await makeTempDir('s3-nginx-'));
      client = createS3Client({ settings: s3TestClientSettings(server) });
      bucket = await publicTestBucket(server, client);
      location = `s3://${bucket}/${prefix}store`;
      const site = documentedConfig();
      nginx = await startNginxSite(
        (port) =>
          substitute(site, [
            ['listen 80;', `listen 127.0.0.1:${port};`],
            ['/var/cache/nginx/repos', join(dir, 'nginx', 'cache')],
            ['rgw.example.org:7480', new URL(server.endpoint).host],
            // The bucket, and below it this test's own prefix: the store is s3://BUCKET/t-.../store.
            ['/ci-repos', `/${bucket}/${prefix.replace(/\/$/, '')}`],
          ]),
        join(dir, 'nginx'),
      );
      storeUrl = `${nginx.url}/store`;
      // Two deploys: alpha requires beta; gamma requires alpha. A name with + and a version with ~, as
      // real packages have (libstdc++, 1.0~rc1), must come through nginx's rewrites and RGW unchanged.
      const first = await sync(await makeRepo(join(dir, 'b1'), [pkg('alpha', '1.0', '1', 'noarch', { dependencies: { requires: [{ name: 'beta' }] } }), pkg('beta', '2.1', '3', 'x86_64')]), 'mirror');
      const second = await sync(await makeRepo(join(dir, 'b2'), [pkg('gamma', '0.9', '2', 'noarch', { dependencies: { requires: [{ name: 'alpha' }] } }), pkg('c++-helper', '1.0~rc1')]), 'additive');
      expect([first.packages, second.packages]).toEqual([2, 4]);
      ids = [first.snapshot, second.snapshot];
    }, 120_000);

    afterAll(async () => {
      await nginx?.stop();
      if (client) {
        for await (const e of client.list(bucket, { prefix })) await client.delete(bucket, e.key);
        client.close();
      }
      await cleanup?.();
    });

    it('dnf install, download and reposync of the latest snapshot through nginx, at the URL the index gives', async () => {
      const index = await fetch(`${storeUrl}/yum/all_latest.json`);
      expect(index.status).toBe(200);
      const baseurl = ((await index.json()) as { latest_ci_repos: Record<string, string> }).latest_ci_repos.el9;
      expect(baseurl).toBe(`${storeUrl}/yum/el9/${ids[1]}`);
      const reader = dnfReader(`${baseurl}/`, dir);

      expect(await reader.install('gamma')).toEqual(['alpha-1.0-1.noarch', 'beta-2.1-3.x86_64', 'gamma-0.9-2.noarch']);
      expect(await reader.download('c++-helper', 'beta')).toEqual(['beta-2.1-3.x86_64.rpm', 'c++-helper-1.0~rc1-1.noarch.rpm']);

      // reposync: every package (through the snapshot's pool/ paths) and the snapshot's metadata, byte for
      // byte what the bucket holds; each package's name in the pool is its sha256.
      const mirrored = await reader.reposync();
      const pool = await keysBelow('pool/');
      const repodata = (await keysBelow(`yum/el9/${ids[1]}/repodata/`)).map((k) => k.slice(`yum/el9/${ids[1]}/`.length));
      expect(pool).toHaveLength(4);
      expect(Object.keys(mirrored).sort()).toEqual([...pool, ...repodata].sort());
      for (const key of pool) expect([key, mirrored[key]]).toEqual([key, key.split('/')[2]]);
      for (const file of repodata) {
        const held = await client.getBytes(bucket, objectKey(`yum/el9/${ids[1]}/${file}`), 1 << 20);
        expect([file, mirrored[file]]).toEqual([file, createHash('sha256').update(held!.data).digest('hex')]);
      }
    }, 120_000);

    it("the store's own objects and working state are 404 through nginx, though the bucket policy lets anyone read them", async () => {
      // Leases (below .ovirt-repo/locks/) and cache/ are there after the deploys; a staging marker and a
      // gc registration (locks/) exist while a writer works: these two are planted.
      const planted = ['.ovirt-repo/staging/yum/el9/20000101T000000.000Z', 'locks/pool-users/planted'];
      for (const key of planted) await client.put(bucket, objectKey(key), '{}\n');
      try {
        const own = [...(await keysBelow('.ovirt-repo/')), ...(await keysBelow('cache/')), ...(await keysBelow('locks/'))];
        expect(own.filter((k) => k.startsWith('.ovirt-repo/locks/')).length).toBeGreaterThan(0);
        expect(own.filter((k) => k.startsWith('cache/')).length).toBeGreaterThan(0);
        expect(own).toEqual(expect.arrayContaining(planted));
        for (const key of own) {
          const direct = await fetch(`${server.endpoint}/${bucket}/${objectKey(key)}`);
          expect([key, direct.status]).toEqual([key, 200]);
          for (const method of ['GET', 'HEAD']) expect([key, method, (await send(nginx.url, `/store/${key}`, method)).status]).toEqual([key, method, 404]);
        }
        // Spelt otherwise, they are the same paths to nginx.
        const lease = own.find((k) => k.startsWith('.ovirt-repo/locks/'))!;
        for (const path of [
          `/store/%2E${lease.slice(1)}`,
          `/store/yum/%2e%2e/${lease}`,
          `/store/yum/el9/${ids[1]}/pool/..%2F..%2F..%2F..%2F${lease}`,
          '/store//cache/el9/summaries.json',
          `/store/yum/el9/${ids[1]}/pool/../../../../locks/pool-users/planted`,
        ]) {
          const answer = await send(nginx.url, path);
          expect([path, answer.status]).toEqual([path, 404]);
          expect(answer.body.toString()).toContain('404 Not Found');
        }
      } finally {
        for (const key of planted) await client.delete(bucket, objectKey(key));
      }
    }, 60_000);

    it('a missing file is 404 (the bucket says 403), and dnf says 404 for the repomd.xml of a snapshot that is not there', async () => {
      const missing = `yum/el9/20000101T000000.000Z/repodata/repomd.xml`;
      expect((await fetch(`${server.endpoint}/${bucket}/${objectKey(missing)}`)).status).toBe(403);
      expect((await send(nginx.url, `/store/${missing}`)).status).toBe(404);
      expect((await send(nginx.url, `/store/${missing}`, 'HEAD')).status).toBe(404);
      const url = `${storeUrl}/yum/el9/20000101T000000.000Z/`;
      const failed = await dnfReader(url, join(dir, 'missing')).download('alpha').catch((e: { stderr?: string }) => e);
      expect(failed).toMatchObject({ stderr: expect.stringContaining(`Status code: 404 for ${url}repodata/repomd.xml`) });
    }, 60_000);

    it('only GET and HEAD, and a query string reaches no S3 sub-resource', async () => {
      const latest = `/store/yum/el9/latest.txt`;
      for (const method of ['PUT', 'DELETE', 'POST']) expect([method, (await send(nginx.url, latest, method)).status]).toEqual([method, 405]);
      expect((await send(nginx.url, latest)).body.toString().trim()).toBe(ids[1]);
      for (const query of ['?acl', '?versionId=null', '?tagging', '?uploads']) {
        const answer = await send(nginx.url, `${latest}${query}`);
        expect([query, answer.status, answer.body.toString().trim()]).toEqual([query, 200, ids[1]]);
      }
      const page = await send(nginx.url, '/store/');
      const listing = await send(nginx.url, '/store/?list-type=2&prefix=');
      expect([listing.status, listing.body.toString()]).toEqual([200, page.body.toString()]);
    }, 60_000);

    it('caching as served by nginx: snapshot files and packages immutable and cached once for every snapshot; pointers, index and status pages no-cache', async () => {
      const snapshot = (id: string) => `/store/yum/el9/${id}`;
      const repomd = `${snapshot(ids[0]!)}/repodata/repomd.xml`;
      for (const method of ['GET', 'GET', 'HEAD']) {
        const answer = await send(nginx.url, repomd, method);
        expect([method, answer.status, answer.headers['cache-control']]).toEqual([method, 200, IMMUTABLE]);
      }
      expect(await cacheStatusOf(repomd)).toBe('HIT');

      // A package of both snapshots, through each one's pool/ path (the older one's first asked here): the
      // second comes from the same cache entry.
      const shared = (await keysBelow('pool/')).find((k) => k.endsWith('/beta-2.1-3.x86_64.rpm'))!;
      const held = (await client.getBytes(bucket, objectKey(shared), 1 << 20))!.data;
      for (const id of [ids[1]!, ids[0]!]) {
        const answer = await send(nginx.url, `${snapshot(id)}/${shared}`);
        expect([answer.status, answer.headers['cache-control'], answer.body.equals(held)]).toEqual([200, IMMUTABLE, true]);
      }
      expect(await cacheStatusOf(`${snapshot(ids[0]!)}/${shared}`)).toBe('HIT');
      // A download dnf resumes asks for a range.
      const part = await send(nginx.url, `${snapshot(ids[1]!)}/${shared}`, 'GET', { range: 'bytes=100-199' });
      expect([part.status, part.headers['content-range'], part.body.equals(held.subarray(100, 200))]).toEqual([206, `bytes 100-199/${held.length}`, true]);
      // What is never cached comes whole, which HTTP allows.
      const whole = await send(nginx.url, '/store/yum/el9/latest.txt', 'GET', { range: 'bytes=0-3' });
      expect([whole.status, whole.body.toString().trim()]).toEqual([200, ids[1]]);

      for (const path of ['/store/yum/el9/latest.txt', '/store/yum/all_latest.json', '/store/yum/all_latest.yaml', '/store/', '/store/yum/el9/']) {
        for (let i = 0; i < 2; i++) {
          const answer = await send(nginx.url, path);
          expect([path, answer.status, answer.headers['cache-control']]).toEqual([path, 200, 'no-cache']);
        }
        expect([path, await cacheStatusOf(path)]).toEqual([path, 'MISS']);
      }
      expect((await send(nginx.url, '/store/yum/el9/')).body.toString()).toContain(ids[1]);
    }, 60_000);

    it('pointers are never served stale: latest.txt, the index and the status page name a new deploy at once, and a new repo\'s latest.txt appears at once', async () => {
      const read = async (path: string) => (await send(nginx.url, path)).body.toString();
      expect((await read('/store/yum/el9/latest.txt')).trim()).toBe(ids[1]);
      expect(JSON.parse(await read('/store/yum/all_latest.json'))).toMatchObject({ latest_ci_repos: { el9: `${storeUrl}/yum/el9/${ids[1]}` } });
      const third = await sync(await makeRepo(join(dir, 'b3'), [pkg('delta')]), 'additive');
      expect(third.snapshot).not.toBe(ids[1]);
      expect((await read('/store/yum/el9/latest.txt')).trim()).toBe(third.snapshot);
      expect(JSON.parse(await read('/store/yum/all_latest.json'))).toMatchObject({ latest_ci_repos: { el9: `${storeUrl}/yum/el9/${third.snapshot}` } });
      expect(await read('/store/yum/el9/')).toContain(third.snapshot);
      // And the new snapshot is served at once, its packages too.
      expect(await dnfReader(`${storeUrl}/yum/el9/${third.snapshot}/`, join(dir, 'third')).download('delta')).toEqual(['delta-1.0-1.noarch.rpm']);

      // A repo's first deploy: its latest.txt, missing when asked for before, is there at once after.
      expect((await send(nginx.url, '/store/yum/el10/latest.txt')).status).toBe(404);
      const first = await sync(await makeRepo(join(dir, 'b4'), [pkg('epsilon')]), 'mirror', 'el10');
      expect([(await send(nginx.url, '/store/yum/el10/latest.txt')).status, (await read('/store/yum/el10/latest.txt')).trim()]).toEqual([200, first.snapshot]);
    }, 120_000);
  });
});
