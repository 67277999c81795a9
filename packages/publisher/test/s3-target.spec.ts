import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCodes, IMMUTABLE, NO_CACHE, TargetRegistry, checkSyncTarget, readTargetFile, type Logger } from '@ovirt-repo/core';
import { describeWithS3, makeTempDir, s3TestPrefix, type S3TestServer } from '@ovirt-repo/test-support';
import { registerBuiltinTargets } from '../src/lib/targets/builtin.js';
import { emptyS3Prefix, publicTestBucket, s3Env, testS3Target } from './helpers/s3.js';

function collecting(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const quiet = () => undefined;
  return { warnings, logger: { info: quiet, debug: quiet, warn: (m: string) => void warnings.push(m), progress: () => ({ tick: quiet, done: quiet }) } };
}

describeWithS3('S3Target against Ceph RGW', (server: S3TestServer) => {
  const prefix = s3TestPrefix();
  afterAll(() => emptyS3Prefix(server, server.bucket, prefix));

  it('passes the SyncTarget conformance checks, with the batch and lock capabilities, and leaves nothing behind', async () => {
    const target = testS3Target(server, server.bucket, `${prefix}kit`);
    try {
      const report = await checkSyncTarget(target);
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
      expect(report.capabilities.sort()).toEqual(['batch', 'lock']);
      expect(report.location).toBe(`s3://${server.bucket}/${prefix}kit`);
      // The kit's scratch directory is gone; the released lease record is all that stays.
      expect((await target.list('')).map((e) => e.path)).toEqual([expect.stringMatching(/^\.ovirt-repo\/locks\/\.ovirt-repo-check-[0-9a-f]+-lock\.lock$/)]);
    } finally {
      await target.close();
    }
  });

  it('is opened for s3:// by the registry with the AWS environment, and its location and errors carry no secret', async () => {
    const registry = new TargetRegistry();
    registerBuiltinTargets(registry);
    const target = await registry.open(`s3://${server.bucket}/${prefix}reg/`, { env: s3Env(server) });
    try {
      expect([target.scheme, target.location, target.atomicRename]).toEqual(['s3', `s3://${server.bucket}/${prefix}reg`, false]);
      await target.put('a.txt', 'x');
      expect((await readTargetFile(target, 'a.txt')).toString()).toBe('x');
    } finally {
      await target.close?.();
    }
    const secret = 'WRONG-secret-never-shown';
    const wrong = await registry.open(`s3://${server.bucket}/${prefix}reg`, { env: { ...s3Env(server), AWS_SECRET_ACCESS_KEY: secret } });
    try {
      const err = await wrong.list('').catch((e: unknown) => e);
      expect(err).toMatchObject({ code: ErrorCodes.TARGET, message: expect.stringContaining(`list failed for s3://${server.bucket}/${prefix}reg: `), hint: expect.stringContaining('AWS_SECRET_ACCESS_KEY') });
      expect(JSON.stringify({ ...(err as object), message: (err as Error).message })).not.toContain(secret);
    } finally {
      await wrong.close?.();
    }
    await expect(registry.open(`s3://${server.bucket}/${prefix}reg`, { env: s3Env(server), settings: { acl: 'public-read' } })).rejects.toMatchObject({ code: ErrorCodes.USAGE, message: expect.stringContaining('"acl"') });
    await expect(registry.open('s3://x/p', { env: s3Env(server) })).rejects.toMatchObject({ code: ErrorCodes.USAGE, message: expect.stringContaining('not a bucket name') });
    await expect(registry.open(`s3://${server.bucket}/p`, { env: s3Env(server), settings: { parallel: '0' } })).rejects.toMatchObject({ code: ErrorCodes.USAGE, message: expect.stringContaining('parallel=0') });
    const { dir, cleanup } = await makeTempDir();
    try {
      // No keys anywhere: refused before any request, naming where it looked.
      const bare = { PATH: process.env.PATH, HOME: dir, AWS_ENDPOINT_URL_S3: server.endpoint };
      await expect(registry.open(`s3://${server.bucket}/p`, { env: bare })).rejects.toMatchObject({ code: ErrorCodes.USAGE, message: expect.stringContaining('no S3 credentials') });
    } finally {
      await cleanup();
    }
  });

  it('writes Content-Type by name and Cache-Control by what publish does with the object, as an anonymous reader sees them', async () => {
    const bucket = await publicTestBucket(server);
    const target = testS3Target(server, bucket, `${prefix}headers`);
    const hex = 'ab'.repeat(32);
    const paths = {
      'repodata/repomd.xml': ['application/xml', NO_CACHE],
      'repodata/repomd.xml.asc': ['text/plain; charset=utf-8', NO_CACHE],
      '.ovirt-repo/publish-history.json': ['application/json', NO_CACHE],
      [`repodata/${hex}-primary.xml.gz`]: ['application/gzip', IMMUTABLE],
      [`repodata/${hex}-modules.yaml.zst`]: ['application/zstd', IMMUTABLE],
      [`packages/ab/${hex}/hello-1.0-1.noarch.rpm`]: ['application/x-rpm', IMMUTABLE],
      // An adopted repository's packages live at names that do not change with their content.
      'Packages/h/hello-1.0-1.noarch.rpm': ['application/x-rpm', NO_CACHE],
    };
    try {
      await target.putMany(Object.keys(paths).map((path) => ({ path, data: 'x' })));
      const seen: Record<string, string[]> = {};
      for (const path of Object.keys(paths)) {
        const res = await fetch(`${server.endpoint}/${bucket}/${prefix}headers/${path}`, { method: 'HEAD' });
        seen[path] = [res.headers.get('content-type') ?? `HTTP ${res.status}`, res.headers.get('cache-control') ?? ''];
      }
      expect(seen).toEqual(paths);
    } finally {
      await emptyS3Prefix(server, bucket, prefix);
      await target.close();
    }
  });

  it('spools a stream (in memory, or a temp file when large) before its PUT, creates nothing when the stream fails, and bounds the spool', async () => {
    const target = testS3Target(server, server.bucket, `${prefix}spool`);
    const bounded = testS3Target(server, server.bucket, `${prefix}spool`, { maxObjectBytes: 1000 });
    const spools = async () => (await readdir(tmpdir())).filter((n) => n.startsWith(`ovirt-repo-spool-${process.pid}-`));
    try {
      await target.put('ok.bin', Readable.from([Buffer.alloc(100_000, 1), Buffer.alloc(5, 2)]));
      expect(await target.stat('ok.bin')).toMatchObject({ type: 'file', size: 100_005 });
      // Past the 8 MiB kept in memory: spooled to a temp file, streamed with its length, the file removed.
      await target.put('large.bin', Readable.from([Buffer.alloc(5_000_000, 3), Buffer.alloc(4_000_000, 4)]));
      expect(await target.stat('large.bin')).toMatchObject({ type: 'file', size: 9_000_000 });
      expect(await spools()).toEqual([]);
      const failing = new Readable({
        read() {
          this.push(Buffer.from('partial'));
          this.destroy(new Error('source connection reset'));
        },
      });
      await expect(target.put('broken.bin', failing)).rejects.toMatchObject({ code: ErrorCodes.TARGET, message: expect.stringContaining('source connection reset') });
      expect(await target.stat('broken.bin')).toBeUndefined();
      const big = await bounded.put('big.bin', Readable.from([Buffer.alloc(600), Buffer.alloc(600)])).catch((e: unknown) => e);
      expect(big).toMatchObject({ code: ErrorCodes.TARGET, message: expect.stringContaining(`more than the 1000 bytes`) });
      expect((big as Error).message).toContain(`s3://${server.bucket}/${prefix}spool/big.bin`);
      expect(await target.stat('big.bin')).toBeUndefined();
    } finally {
      await target.close();
      await bounded.close();
    }
    expect(await spools()).toEqual([]);
  }, 30_000);

  it('uploads at most `parallel` objects at a time', async () => {
    const target = testS3Target(server, server.bucket, `${prefix}parallel`, { parallel: 3 });
    let running = 0;
    let most = 0;
    const slow = (n: number) =>
      new Readable({
        async read() {
          running++;
          most = Math.max(most, running);
          await sleep(50);
          running--;
          this.push(Buffer.from(`object ${n}`));
          this.push(null);
        },
      });
    try {
      await target.putMany(Array.from({ length: 12 }, (_, n) => ({ path: `o/${n}`, data: slow(n) })));
      expect([(await target.list('o')).length, most]).toEqual([12, 3]);
    } finally {
      await target.close();
    }
  });

  it('a lease refuses a second writer naming the holder; a stalled holder is taken over by server time and its later writes are refused', async () => {
    const stalled = collecting();
    const next = collecting();
    // The holder renews only every 4 s: it stalls past the 1.5 s its lease lasts.
    const a = testS3Target(server, server.bucket, `${prefix}lease`, { logger: stalled.logger, lease: { staleAfterMs: 1500, heartbeatMs: 4000 } });
    const b = testS3Target(server, server.bucket, `${prefix}lease`, { logger: next.logger, lease: { staleAfterMs: 1500, heartbeatMs: 500, pollMs: 200 } });
    try {
      const held = await a.lock('publish');
      const refused = await b.lock('publish').catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: ErrorCodes.LOCKED, message: expect.stringContaining(`is held by pid ${process.pid}`), hint: expect.stringContaining('taken over') });
      const started = Date.now();
      const taken = await b.lock('publish', { waitMs: 3500 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(500);
      expect(next.warnings).toEqual([expect.stringMatching(/broke the lease of pid \d+ .*: not renewed for \d+ s \(server time\)/)]);
      // The stalled holder's next renewal (at 4 s) finds the lease taken over; from then on it may not write.
      await sleep(Math.max(0, 4600 - (Date.now() - started)));
      await expect(a.put('late.txt', 'x')).rejects.toMatchObject({ code: ErrorCodes.LOCKED, message: expect.stringContaining('lost the lease') });
      expect(await b.stat('late.txt')).toBeUndefined();
      await held.release();
      await b.put('mine.txt', 'x');
      await taken.release();
      // Released: the next writer takes it at once.
      await (await a.lock('other')).release();
      await (await b.lock('publish')).release();
    } finally {
      await a.close();
      await b.close();
    }
  }, 15_000);
});
