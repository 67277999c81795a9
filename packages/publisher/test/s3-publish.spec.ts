import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureOutput } from '@oclif/test';
import { newOwner, readTargetFile, type SyncTarget } from '@ovirt-repo/core';
import { describeWithS3, describeWithTools, makeTempDir, s3TestPrefix, type S3TestServer } from '@ovirt-repo/test-support';
import Publish from '../src/commands/publish.js';
import PublishTargets from '../src/commands/publish/targets.js';
import { HISTORY_PATH, parseHistory } from '../src/lib/history.js';
import { publish, type PublishOptions, type PublishResult } from '../src/lib/publish.js';
import type { S3Target } from '../src/lib/targets/s3/s3-target.js';
import { recordingTarget } from './helpers/recording-target.js';
import { dnf, makeRepo, namedBy, rpmSpec, servedDigest } from './helpers/repos.js';
import { emptyS3Prefix, publicTestBucket, s3Env, testS3Target } from './helpers/s3.js';

const pluginRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

const env = { ...process.env, SOURCE_DATE_EPOCH: '1893456000' };
const DAY = 86_400_000;
const t0 = new Date('2030-01-01T00:00:00Z');
const at = (days: number) => new Date(t0.getTime() + days * DAY);

/** path -> sha256 of every object below the target's root. */
async function objectDigest(target: SyncTarget): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await target.list('')) out[e.path] = createHash('sha256').update(await readTargetFile(target, e.path)).digest('hex');
  return out;
}

/** A destination's files but the lock: the file target removes its lock file, the s3 one keeps a released lease. */
const withoutLocks = (digest: Record<string, string>) => Object.fromEntries(Object.entries(digest).filter(([p]) => !p.startsWith('.ovirt-repo/locks/')));

describeWithS3('publish to s3://', (server: S3TestServer) => {
  describeWithTools(['createrepo_c', 'dnf', 'rpm'], 'with real createrepo_c sources and dnf reading the bucket', () => {
    let dir: string;
    let cleanup: () => Promise<void>;
    let bucket: string;
    const prefix = s3TestPrefix();
    let v1: string;
    let v2: string;
    beforeAll(async () => {
      ({ dir, cleanup } = await makeTempDir());
      bucket = await publicTestBucket(server);
      v1 = await makeRepo(join(dir, 'v1'), [rpmSpec('hello', '1.0'), rpmSpec('tools', '1.0')]);
      // v2 changes one package: tools is the same file (same checksum), hello is new.
      await mkdir(join(dir, 'v2', 'Packages'), { recursive: true });
      const tools = (await readdir(join(v1, 'Packages'))).find((n) => n.startsWith('tools-')) ?? '';
      await copyFile(join(v1, 'Packages', tools), join(dir, 'v2', 'Packages', tools));
      v2 = await makeRepo(join(dir, 'v2'), [rpmSpec('hello', '2.0')]);
    });
    afterAll(async () => {
      await emptyS3Prefix(server, bucket, prefix);
      await cleanup();
    });

    it('writes the objects and bytes a file publish writes, generation after generation; data first, repomd.xml last; a re-publish uploads only what changed', async () => {
      const fileDest = join(dir, 'file-dest');
      const s3: S3Target = testS3Target(server, bucket, `${prefix}repo`);
      // At the moment repomd.xml is written, everything it and its packages name must already be there.
      const listedAtRepomd: string[][] = [];
      const recorded = recordingTarget(s3, async (path) => {
        if (path === 'repodata/repomd.xml') listedAtRepomd.push((await s3.list('')).map((e) => e.path));
      });
      const run = (o: Pick<PublishOptions, 'from' | 'now' | 'to'>) => publish({ env, ...o });
      try {
        const first = await run({ from: v1, to: recorded.target, now: at(0) });
        await run({ from: v1, to: fileDest, now: at(0) });
        expect([first.changed, first.uploaded.packages, first.destination]).toEqual([true, 2, `s3://${bucket}/${prefix}repo`]);
        expect(withoutLocks(await objectDigest(s3))).toEqual(withoutLocks(await servedDigest(fileDest)));

        const firstLog = recorded.log.splice(0);
        const second = await run({ from: v2, to: recorded.target, now: at(1) });
        await run({ from: v2, to: fileDest, now: at(1) });
        expect(withoutLocks(await objectDigest(s3))).toEqual(withoutLocks(await servedDigest(fileDest)));
        const history = parseHistory(await readTargetFile(s3, HISTORY_PATH), 'history');
        expect(history.generations.map((g) => [g.publishedAt, g.packages, g.source])).toEqual([
          [at(0).toISOString(), 2, v1],
          [at(1).toISOString(), 3, v2],
        ]);

        // Only the changed package went up again: one package PUT, to the new hello's content address.
        const hello2 = second.added.find((p) => p.nevra === 'hello-2.0-1.noarch')?.href;
        expect(second.uploaded.packages).toBe(1);
        expect(recorded.log.filter((w) => w.op === 'put' && w.path.startsWith('packages/')).map((w) => w.path)).toEqual([hello2]);

        for (const log of [firstLog, recorded.log]) {
          const puts = log.filter((w) => w.op === 'put').map((w) => w.path);
          const repomdAt = puts.indexOf('repodata/repomd.xml');
          const data = puts.filter((p) => p.startsWith('packages/') || (p.startsWith('repodata/') && p !== 'repodata/repomd.xml'));
          expect(data.length).toBeGreaterThan(0);
          expect(puts.slice(0, repomdAt)).toEqual(expect.arrayContaining(data));
          expect(puts.slice(repomdAt + 1).filter((p) => p !== HISTORY_PATH)).toEqual([]);
          const firstRemove = log.findIndex((w) => w.op === 'remove');
          expect(firstRemove === -1 || firstRemove > log.findIndex((w) => w.path === 'repodata/repomd.xml')).toBe(true);
        }
        // The listing taken just before each repomd.xml write held every file the new repomd.xml names.
        const repomd = await readTargetFile(s3, 'repodata/repomd.xml');
        expect(listedAtRepomd).toHaveLength(2);
        expect(listedAtRepomd[1]).toEqual(expect.arrayContaining([...namedBy(repomd), ...Object.values(history.packages).map((p) => p.href)]));

        // A repeat finds nothing to do and writes nothing (the lease is the client's, not a target write).
        const writes = recorded.log.length;
        const again = await run({ from: v2, to: recorded.target, now: at(1) });
        expect([again.changed, recorded.log.length]).toEqual([false, writes]);
      } finally {
        await s3.close();
      }
    });

    it('dnf installs from the bucket over plain HTTP (anonymous read by bucket policy)', async () => {
      const s3 = testS3Target(server, bucket, `${prefix}dnf`);
      try {
        await publish({ env, from: v2, to: s3, now: at(0) });
      } finally {
        await s3.close();
      }
      const url = `${server.endpoint}/${bucket}/${prefix}dnf`;
      const client = dnf(join(dir, 'dnf'));
      expect(await client.available(url)).toEqual(['hello-2.0-1.noarch', 'tools-1.0-1.noarch']);
      expect(await client.install(url, 'hello', 'hello')).toBe('hello-2.0-1.noarch');
      expect((await readFile(join(dir, 'dnf', 'dnf-2', 'root', 'usr', 'share', 'hello', 'VERSION'), 'utf8')).trim()).toBe('2.0-1');
    }, 120_000);
  });

  describeWithTools(['createrepo_c'], 'the commands', () => {
    let dir: string;
    let cleanup: () => Promise<void>;
    let saved: NodeJS.ProcessEnv;
    const prefix = s3TestPrefix();
    const dest = `s3://${server.bucket}/${prefix}cli`;
    beforeAll(async () => {
      ({ dir, cleanup } = await makeTempDir());
      // The commands read the standard AWS environment, as in a CI job.
      saved = { ...process.env };
      Object.assign(process.env, s3Env(server));
    });
    afterAll(async () => {
      process.env = saved;
      await emptyS3Prefix(server, server.bucket, prefix);
      await cleanup();
    });

    it('publish targets --check s3:// runs the conformance kit against the bucket', async () => {
      const out = await captureOutput(() => PublishTargets.run(['--check', `${dest}-check`], pluginRoot));
      expect(out.error).toBeUndefined();
      expect(out.stdout).toMatch(new RegExp(`^s3://${server.bucket}/${prefix}cli-check: all \\d+ checks passed \\(capabilities: batch, lock\\)$`, 'm'));
      expect(out.stdout).toContain('note rename() is copy-then-remove');
    });

    it('publish --to s3:// --json takes over the lease of a publisher that died on this host, and says so in warnings', async () => {
      const source = await makeRepo(join(dir, 'src'), [rpmSpec('hello', '1.0')]);
      const s3 = testS3Target(server, server.bucket, `${prefix}cli`);
      const dead = { ...newOwner('publish'), pid: 2 ** 22 + 17, procStart: undefined, state: 'held', renewal: 0 };
      try {
        await s3.put('.ovirt-repo/locks/publish.lock', JSON.stringify(dead));
        const out = await captureOutput(() => Publish.run(['--json', '--from', source, '--to', dest], pluginRoot));
        expect(out.error).toBeUndefined();
        const result = JSON.parse(out.stdout) as PublishResult & { warnings: string[] };
        expect(result).toMatchObject({ destination: dest, changed: true, uploaded: { packages: 1 } });
        expect(result.warnings).toEqual([expect.stringMatching(new RegExp(`broke the lease of pid ${dead.pid} on .*: process ${dead.pid} on this host is gone`))]);
        expect((await readTargetFile(s3, 'repodata/repomd.xml')).toString()).toContain('<repomd');
      } finally {
        await s3.close();
      }
    });
  });
});
