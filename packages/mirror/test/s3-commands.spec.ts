import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { createS3Client, type S3Client } from '@ovirt-repo/core';
import { describeWithS3, s3TestEnv, describeWithTools, makeTempDir, s3TestPrefix, type S3TestServer, s3TestClientSettings } from '@ovirt-repo/test-support';
import { openLocalStore } from '../src/lib/store/local/local-store.js';
import { isSnapshotId } from '../src/lib/store/names.js';
import { S3Store } from '../src/lib/store/s3/s3-store.js';
import { ensurePluginBuilt } from './helpers/built.js';
import { dnfReader } from './helpers/dnf.js';
import { ovirtRepo, startServe } from './helpers/commands.js';
import { makeRepo, pkg } from './helpers/fixtures.js';

/**
 * The read-side store commands on an s3:// store, run by the real binary with --json: the store is a copy,
 * object by object through the two Store implementations, of a local store made by a real `mirror sync`
 * (links are not copied: an S3 store has none).
 */
describeWithTools(['createrepo_c', 'dnf', 'rpm'], 'store commands on an s3:// store', () => {
  describeWithS3('store commands on an s3:// store, against Ceph RGW', (server: S3TestServer) => {
    const env = {
      ...s3TestEnv(server),
    };
    const prefix = s3TestPrefix().replace(/\/$/, '');
    const location = `s3://${server.bucket}/${prefix}`;
    let dir: string;
    let cleanup: () => Promise<void>;
    let client: S3Client;
    let ids: string[];

    const run = async (args: string[]) => {
      const r = await ovirtRepo([...args, '--store', location, '--json'], env);
      return { code: r.code, out: JSON.parse(r.stdout) as Record<string, unknown>, stderr: r.stderr };
    };

    beforeAll(async () => {
      ensurePluginBuilt();
      ({ dir, cleanup } = await makeTempDir('s3-commands-'));
      client = createS3Client({ settings: s3TestClientSettings(server) });
      const local = join(dir, 'store');
      for (const [n, names] of [['r1', ['a', 'b']], ['r2', ['a', 'b', 'c']]] as const) {
        await makeRepo(join(dir, n), names.map((x) => pkg(x)));
        const sync = await ovirtRepo(['mirror', 'sync', 'el9', '--from', join(dir, n), '--store', local, '--json']);
        expect(sync.code).toBe(0);
      }
      const from = await openLocalStore(local);
      const to = new S3Store({ client, bucket: server.bucket, prefix });
      for (const e of await from.list('', { recursive: true })) {
        if (e.type !== 'object') continue;
        const opened = await from.open(e.key);
        expect(await to.create(e.key, opened!.stream)).toBe(true);
      }
      ids = (await from.list('yum/el9'))
        .filter((e) => e.type === 'prefix')
        .map((e) => e.key.slice('yum/el9/'.length))
        .filter(isSnapshotId);
      expect(ids).toHaveLength(2);
    }, 120_000);

    afterAll(async () => {
      for await (const e of client.list(server.bucket, { prefix: `${prefix}/` })) await client.delete(server.bucket, e.key);
      client.close();
      await cleanup();
    });

    it('snapshot list, show, diff and verify read the store through the S3 backend', async () => {
      const list = await run(['snapshot', 'list', 'el9', '--base-url', 'https://repos.example.org/ci']);
      expect(list.code).toBe(0);
      expect(list.out).toMatchObject({ repo: 'el9', latest: ids[1], snapshots: [{ id: ids[0], packages: 2, url: `https://repos.example.org/ci/yum/el9/${ids[0]}` }, { id: ids[1], packages: 3, latest: true }] });
      const show = await run(['snapshot', 'show', 'el9', '--base-url', 'https://repos.example.org/ci']);
      expect(show.out).toMatchObject({ repo: 'el9', id: ids[1], latest: true });
      const diff = await run(['snapshot', 'diff', 'el9', ids[0]!, ids[1]!]);
      expect(diff.out).toMatchObject({ added: [{ name: 'c', arch: 'noarch', to: '1.0-1' }], removed: [], unchanged: 2 });
      // The snapshot's pool/ paths are the store's pool: an S3 store has no pool link.
      const verify = await run(['snapshot', 'verify', 'el9']);
      expect([verify.code, verify.out]).toEqual([0, expect.objectContaining({ id: ids[1], packages: 3, checksummed: true })]);
      const victim = `${prefix}/${await firstPoolKey()}`;
      const saved = await client.getBytes(server.bucket, victim, 1 << 20);
      await client.delete(server.bucket, victim);
      const damaged = await run(['snapshot', 'verify', 'el9']);
      expect(damaged.code).toBe(1);
      expect(damaged.out).toMatchObject({ error: { code: 'E_VERIFY_FAILED', message: expect.stringContaining(`${location}/pool/`) } });
      await client.put(server.bucket, victim, saved!.data);
    });

    it('serve --store s3:// serves snapshots read-only to dnf (download, install, reposync), pool/ paths mapped to the pool, immutable files cached and pointers not', async () => {
      const serve = await startServe(['--store', location], env);
      try {
        const { url } = serve;
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const snapshot = `${url}/yum/el9/${ids[1]}`;
        const repomd = (await fetch(`${snapshot}/repodata/repomd.xml`)).headers;
        expect(repomd.get('cache-control')).toBe('public, max-age=31536000, immutable');
        expect((await fetch(`${url}/yum/el9/latest.txt`)).headers.get('cache-control')).toBe('no-cache');
        expect((await fetch(`${url}/.ovirt-repo/locks/x`)).status).toBe(404);
        expect((await fetch(`${snapshot}/repodata/repomd.xml`, { method: 'PUT', body: 'x' })).status).toBe(405);
        const reader = dnfReader(`${snapshot}/`, join(dir, 'serve-dnf'));
        expect(await reader.download('a', 'b', 'c')).toEqual(['a-1.0-1.noarch.rpm', 'b-1.0-1.noarch.rpm', 'c-1.0-1.noarch.rpm']);
        expect(await reader.install('c')).toEqual(['c-1.0-1.noarch']);
        // reposync: every package, through the snapshot's pool/ paths, each the bucket's object (its name in
        // the pool is its sha256), and the snapshot's metadata byte for byte.
        const mirrored = await reader.reposync();
        const packages = Object.keys(mirrored).filter((f) => f.startsWith('pool/'));
        expect(packages.map((f) => f.split('/').at(-1)).sort()).toEqual(['a-1.0-1.noarch.rpm', 'b-1.0-1.noarch.rpm', 'c-1.0-1.noarch.rpm']);
        for (const f of packages) {
          expect([f, mirrored[f]]).toEqual([f, f.split('/')[2]]);
          expect([f, (await client.head(server.bucket, `${prefix}/${f}`))?.size]).toEqual([f, expect.any(Number)]);
        }
        const repodata: string[] = [];
        for await (const e of client.list(server.bucket, { prefix: `${prefix}/yum/el9/${ids[1]}/repodata/` })) {
          const file = e.key.slice(`${prefix}/yum/el9/${ids[1]}/`.length);
          repodata.push(file);
          const held = await client.getBytes(server.bucket, e.key, 1 << 20);
          expect([file, mirrored[file]]).toEqual([file, createHash('sha256').update(held!.data).digest('hex')]);
        }
        expect(Object.keys(mirrored).filter((f) => !f.startsWith('pool/')).sort()).toEqual(repodata.sort());
        const pooled = await fetch(`${snapshot}/${(await firstPoolKey())}`);
        expect([pooled.status, pooled.headers.get('cache-control')]).toEqual([200, 'public, max-age=31536000, immutable']);
      } finally {
        serve.stop();
      }
    }, 60_000);

    it('pin and unpin, index write with the status pages, gc --dry-run and gc', async () => {
      const pin = await run(['snapshot', 'pin', 'el9', ids[0]!, '--base-url', 'https://repos.example.org/ci']);
      expect(pin.out).toMatchObject({ pinned: true, changed: true });
      expect(((await run(['snapshot', 'list', 'el9', '--base-url', 'https://x.example.org'])).out.snapshots as { pinned: boolean }[]).map((s) => s.pinned)).toEqual([true, false]);
      const kept = await run(['gc', '--keep', '1']);
      expect(kept.out).toMatchObject({ removedSnapshots: [], keptSnapshots: expect.arrayContaining([{ repo: 'el9', id: ids[0], reason: 'pinned' }]) });
      expect((await run(['snapshot', 'unpin', 'el9', ids[0]!, '--base-url', 'https://repos.example.org/ci'])).out).toMatchObject({ pinned: false, changed: true });

      const index = await run(['index', 'write', '--base-url', 'https://repos.example.org/ci']);
      expect(index.code).toBe(0);
      expect(index.out).toMatchObject({ repos: { el9: `https://repos.example.org/ci/yum/el9/${ids[1]}` } });
      const json = await client.getBytes(server.bucket, `${prefix}/yum/all_latest.json`, 1 << 20);
      expect(JSON.parse(json!.data.toString())).toMatchObject({ latest_ci_repos: { el9: `https://repos.example.org/ci/yum/el9/${ids[1]}` } });
      for (const page of ['index.html', 'yum/el9/index.html']) {
        const info = await client.head(server.bucket, `${prefix}/${page}`);
        expect([page, info?.cacheControl]).toEqual([page, 'no-cache']);
      }
      expect((await client.getBytes(server.bucket, `${prefix}/yum/el9/index.html`, 1 << 20))?.data.toString()).toContain(ids[1]);

      const dry = await run(['gc', '--keep', '1', '--dry-run']);
      expect(dry.out).toMatchObject({ dryRun: true, removedSnapshots: [{ repo: 'el9', id: ids[0] }] });
      expect((await run(['snapshot', 'list', 'el9', '--base-url', 'https://x.example.org'])).out.snapshots).toHaveLength(2);
      const gc = await run(['gc', '--keep', '1']);
      expect(gc.out).toMatchObject({ dryRun: false, removedSnapshots: [{ repo: 'el9', id: ids[0] }] });
      expect(((await run(['snapshot', 'list', 'el9', '--base-url', 'https://x.example.org'])).out.snapshots as { id: string }[]).map((s) => s.id)).toEqual([ids[1]]);
      const left: string[] = [];
      for await (const e of client.list(server.bucket, { prefix: `${prefix}/yum/el9/${ids[0]}/` })) left.push(e.key);
      expect(left).toEqual([]);
    });

    it('gives no secret in --json, even when the keys are wrong', async () => {
      const r = await ovirtRepo(['snapshot', 'verify', 'el9', '--store', location, '--json'], { ...env, AWS_SECRET_ACCESS_KEY: 'WRONG-SECRET-77' });
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'E_FETCH', message: expect.stringContaining('SignatureDoesNotMatch') } });
      expect(r.stdout + r.stderr).not.toContain('WRONG-SECRET-77');
    });

    async function firstPoolKey(): Promise<string> {
      for await (const e of client.list(server.bucket, { prefix: `${prefix}/pool/` })) return e.key.slice(prefix.length + 1);
      throw new Error('no pool object');
    }
  });
});
