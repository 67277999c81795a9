import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createS3Client, type S3Client } from '@ovirt-repo/core';
import { describeWithS3, s3TestEnv, describeWithTools, makeTempDir, s3TestPrefix, type S3TestServer, s3TestClientSettings } from '@ovirt-repo/test-support';
import { S3Store } from '../src/lib/store/s3/s3-store.js';
import { syncRepo } from '../src/lib/sync/sync-repo.js';
import type { SyncOptions } from '../src/lib/sync/options.js';
import { ensurePluginBuilt } from './helpers/built.js';
import { ovirtRepo, startServe } from './helpers/commands.js';
import { makeRepo, pkg } from './helpers/fixtures.js';

const execFileP = promisify(execFile);

/**
 * A small upstream whose gz metadata still has two chunks: a chunk ends after about one package in 256,
 * decided by its pool href; these package files are the same bytes on every run, and p-0010's href ends
 * one (the tests check there are two chunks before relying on it).
 */
const BASE = Array.from({ length: 12 }, (_, i) => pkg(`p-${String(i).padStart(4, '0')}`, '1', '1', i % 5 === 0 ? 'x86_64' : 'noarch'));
/** A build that sorts after every package of BASE, so the chunk ending at p-0010 stays as it was. */
const BUILD = pkg('zz-build', '1');

/**
 * `mirror sync --store s3://` end to end, by the real binary with --json against Ceph RGW: the sync
 * writes a store every other command reads and `serve` serves to dnf.
 */
describeWithTools(['createrepo_c', 'dnf'], 'mirror sync into an s3:// store', () => {
  describeWithS3('mirror sync into an s3:// store, against Ceph RGW', (server: S3TestServer) => {
    const env = {
      ...s3TestEnv(server),
      // Metadata timestamps fixed, so syncs of the same input write the same bytes.
      SOURCE_DATE_EPOCH: '1700000000',
    };
    const root = s3TestPrefix().replace(/\/$/, '');
    const BASE_URL = 'https://repos.example.org/ci';
    let dir: string;
    let cleanup: () => Promise<void>;
    let client: S3Client;

    /** The binary with --json; this host's cache for s3 stores under dir/xdg. */
    const run = async (args: string[], extra: Record<string, string> = {}) => {
      const r = await ovirtRepo([...args, '--json'], { ...env, XDG_CACHE_HOME: join(dir, 'xdg'), ...extra });
      return { code: r.code, out: JSON.parse(r.stdout) as Record<string, unknown>, stderr: r.stderr };
    };
    /**
     * Every object below `prefix`: key -> sha256. But the leases, which name their process, and the store
     * marker, which holds the time the store was made.
     */
    const objectsOf = async (prefix: string) => {
      const out: Record<string, string> = {};
      for await (const e of client.list(server.bucket, { prefix: `${prefix}/` })) {
        const key = e.key.slice(prefix.length + 1);
        if (key.startsWith('.ovirt-repo/locks/') || key === 'store.json') continue;
        const got = await client.getBytes(server.bucket, e.key, 64 << 20);
        out[key] = createHash('sha256').update(got!.data).digest('hex');
      }
      return out;
    };

    beforeAll(async () => {
      ensurePluginBuilt();
      ({ dir, cleanup } = await makeTempDir('s3-sync-'));
      client = createS3Client({ settings: s3TestClientSettings(server) });
    });
    afterAll(async () => {
      for await (const e of client.list(server.bucket, { prefix: `${root}/` })) await client.delete(server.bucket, e.key);
      client.close();
      await cleanup();
    });

    it('a fresh sync, an additive deploy, a mirror re-sync with a package removed upstream, verify, list (no --base-url: no url) and gc; serve to dnf', async () => {
      const location = `s3://${server.bucket}/${root}/e2e`;
      const store = ['--store', location];
      const upstream = await makeRepo(join(dir, 'up-1'), BASE);
      const fresh = await run(['mirror', 'sync', 'el9', '--from', upstream, ...store, '--base-url', BASE_URL]);
      expect([fresh.code, fresh.stderr]).toEqual([0, '']);
      expect(fresh.out).toMatchObject({ changed: true, packages: 12, added: 12, removed: 0, metadataChunks: { total: 2, reused: 0 } });
      expect(fresh.out.url).toBe(`${BASE_URL}/yum/el9/${fresh.out.snapshot as string}`);

      const build = await makeRepo(join(dir, 'build'), [BUILD]);
      const deploy = await run(['mirror', 'sync', 'el9', '--mode', 'additive', '--from', build, ...store, '--base-url', BASE_URL]);
      // The chunk up to p-0010 is copied from the previous snapshot; the one the build joins is written.
      expect(deploy.out).toMatchObject({ changed: true, packages: 13, added: 1, removed: 0, metadataChunks: { total: 2, reused: 1 } });

      // Upstream dropped p-0003: a mirror-mode sync follows it (and drops the deployed build too).
      const up2 = await makeRepo(join(dir, 'up-2'), BASE.filter((s) => s.name !== 'p-0003'));
      const mirrored = await run(['mirror', 'sync', 'el9', '--from', up2, ...store, '--base-url', BASE_URL]);
      expect(mirrored.out).toMatchObject({ changed: true, packages: 11, added: 0, removed: 2 });
      const ids = [fresh.out.snapshot, deploy.out.snapshot, mirrored.out.snapshot] as string[];

      const verify = await run(['snapshot', 'verify', 'el9', ...store]);
      expect([verify.code, verify.out]).toEqual([0, expect.objectContaining({ id: ids[2], packages: 11, checksummed: true })]);

      // Listing needs no base URL: the url fields are left out when none is known.
      const list = await run(['snapshot', 'list', 'el9', ...store]);
      expect(list.code).toBe(0);
      const snapshots = list.out.snapshots as Record<string, unknown>[];
      expect(snapshots.map((s) => [s.id, s.packages, s.latest])).toEqual([[ids[0], 12, false], [ids[1], 13, false], [ids[2], 11, true]]);
      expect(snapshots.filter((s) => 'url' in s)).toEqual([]);
      const show = await run(['snapshot', 'show', 'el9', ...store]);
      expect(show.code).toBe(0);
      expect(show.out).toMatchObject({ id: ids[2], latest: true });
      expect('url' in show.out).toBe(false);
      const listed = await run(['snapshot', 'list', 'el9', ...store, '--base-url', BASE_URL]);
      expect((listed.out.snapshots as { url: string }[]).map((s) => s.url)).toEqual(ids.map((id) => `${BASE_URL}/yum/el9/${id}`));

      const gc = await run(['gc', '--keep', '1', ...store]);
      expect(gc.code).toBe(0);
      expect(gc.out).toMatchObject({ dryRun: false });
      expect((gc.out.removedSnapshots as { repo: string; id: string }[]).map((s) => `${s.repo}/${s.id}`).sort()).toEqual([`el9/${ids[0]}`, `el9/${ids[1]}`]);
      expect(((await run(['snapshot', 'list', 'el9', ...store])).out.snapshots as { id: string }[]).map((s) => s.id)).toEqual([ids[2]]);
      expect((await run(['snapshot', 'verify', 'el9', ...store])).code).toBe(0);

      // serve --store s3:// gives dnf every package of the latest snapshot.
      const serve = await startServe(store, env);
      try {
        const { url } = serve;
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const dest = join(dir, 'downloaded');
        const names = BASE.filter((s) => s.name !== 'p-0003').map((s) => s.name);
        await execFileP('dnf', ['-y', '-q', '--setopt=reposdir=/dev/null', '--disableplugin=local', `--setopt=cachedir=${join(dir, 'dnf-cache')}`, '--releasever', '9', '--forcearch', 'x86_64', '--nogpgcheck', `--repofrompath=snap,${url}/yum/el9/${ids[2]}/`, '--repo', 'snap', 'download', '--destdir', dest, ...names], { maxBuffer: 16 << 20 });
        const got = await readdir(dest);
        expect(got.sort()).toEqual(BASE.filter((s) => s.name !== 'p-0003').map((s) => `${s.name}-1-1.${s.arch}.rpm`));
      } finally {
        serve.stop();
      }
    }, 180_000);

    it('takes the endpoint from the s3: keys of ovirt-repo.yaml, over the AWS environment', async () => {
      const config = join(dir, 'ovirt-repo.yaml');
      await writeFile(config, `s3:\n  endpoint: ${server.endpoint}\n  region: ${server.region}\n`);
      const { AWS_ENDPOINT_URL_S3: _, ...withoutEndpoint } = env;
      const upstream = await makeRepo(join(dir, 'cfg-up'), [pkg('alpha')]);
      // The environment names an endpoint where nothing listens: the file's wins.
      const r = await ovirtRepo(['mirror', 'sync', 'el9', '--from', upstream, '--store', `s3://${server.bucket}/${root}/config`, '--base-url', BASE_URL, '--json'], {
        ...withoutEndpoint,
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        OVIRT_REPO_CONFIG: config,
        XDG_CACHE_HOME: join(dir, 'xdg'),
      });
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(JSON.parse(r.stdout)).toMatchObject({ changed: true, packages: 1 });
    }, 60_000);

    it('refuses a sync into an s3:// store without a base URL, saying why and with an example', async () => {
      const upstream = await makeRepo(join(dir, 'nobase-up'), [pkg('alpha')]);
      const r = await run(['mirror', 'sync', 'el9', '--from', upstream, '--store', `s3://${server.bucket}/${root}/nobase`]);
      expect(r.code).toBe(2);
      expect(r.out).toMatchObject({
        error: {
          code: 'E_USAGE',
          message: expect.stringContaining(`store s3://${server.bucket}/${root}/nobase has no default base URL, which the index`),
          hint: expect.stringContaining('--base-url https://'),
        },
      });
    }, 60_000);

    it('writes the same bytes into the bucket whether this host\'s metadata cache is there or was removed', async () => {
      const stores = { cached: `${root}/cached`, uncached: `${root}/uncached` };
      const saved = process.env.XDG_CACHE_HOME;
      const epoch = process.env.SOURCE_DATE_EPOCH;
      process.env.SOURCE_DATE_EPOCH = env.SOURCE_DATE_EPOCH;
      const deploys = [BASE, [BUILD], [pkg('p-0007', '2')]];
      try {
        for (const [step, specs] of deploys.entries()) {
          const source = await makeRepo(join(dir, `same-${step}`), specs);
          const options: Omit<SyncOptions, 'store'> = { repo: 'exp', from: [source], mode: 'additive', now: Date.UTC(2026, 11, 1) + step * 60_000, baseUrl: BASE_URL };
          const results = [];
          for (const [name, prefix] of Object.entries(stores)) {
            process.env.XDG_CACHE_HOME = join(dir, `xdg-${name}`);
            if (name === 'uncached') await rm(process.env.XDG_CACHE_HOME, { recursive: true, force: true });
            results.push(await syncRepo({ ...options, store: new S3Store({ client, bucket: server.bucket, prefix }) }));
          }
          const [a, b] = results;
          expect(b).toMatchObject({ changed: true, snapshot: a!.snapshot, packages: a!.packages, added: a!.added, removed: a!.removed });
          expect(a!.metadataChunks).toEqual({ total: 2, reused: [0, 1, 0][step] });
          expect(b!.metadataChunks).toEqual(a!.metadataChunks);
          const [cached, uncached] = [await objectsOf(stores.cached), await objectsOf(stores.uncached)];
          expect(Object.keys(cached).length).toBeGreaterThan(12 + step);
          expect(uncached).toEqual(cached);
        }
      } finally {
        if (saved === undefined) delete process.env.XDG_CACHE_HOME;
        else process.env.XDG_CACHE_HOME = saved;
        if (epoch === undefined) delete process.env.SOURCE_DATE_EPOCH;
        else process.env.SOURCE_DATE_EPOCH = epoch;
      }
    }, 180_000);
  });
});
