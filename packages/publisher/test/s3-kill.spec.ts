import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readTargetFile } from '@ovirt-repo/core';
import { describeWithS3, describeWithTools, makeTempDir, s3TestPrefix, seededRandom, type S3TestServer } from '@ovirt-repo/test-support';
import { publish } from '../src/lib/publish.js';
import type { S3Target } from '../src/lib/targets/s3/s3-target.js';
import { checkRepo, dnf, makeRepo, rpmSpec, treeDigest } from './helpers/repos.js';
import { at, BUILT_PLUGIN as built, NEW, OLD, POINTS, publishKilledAfter, publishUntil } from './helpers/kill-points.js';
import { emptyS3Prefix, publicTestBucket, s3Env, testS3Target } from './helpers/s3.js';

/** Every object of the target in a local directory, so the directory checks (checksums, digests) apply. */
async function download(target: S3Target, dir: string): Promise<string> {
  for (const e of await target.list('')) {
    const file = join(dir, ...e.path.split('/'));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, await readTargetFile(target, e.path));
  }
  return dir;
}

/** Kills in the random series (OVIRT_REPO_TEST_KILLS: more to hunt, fewer while developing). */
const KILLS = Number(process.env.OVIRT_REPO_TEST_KILLS ?? 20);

const withoutLocks = (digest: Record<string, string>) => Object.fromEntries(Object.entries(digest).filter(([p]) => !p.startsWith('.ovirt-repo/locks/')));

describeWithS3('SIGKILL during a publish to s3://', (server: S3TestServer) => {
  describeWithTools(['createrepo_c', 'dnf', 'rpm'], 'leaves a valid repository in the bucket', () => {
    const env = { ...s3Env(server), SOURCE_DATE_EPOCH: '1893456000' } as Record<string, string>;
    const prefix = s3TestPrefix();
    let dir: string;
    let cleanup: () => Promise<void>;
    let bucket: string;
    let v1: string;
    let v2: string;
    let v3: string;
    let reference: Record<string, string>;

    /** A prefix holding the destination before the interrupted publish: two generations. */
    const base = async (name: string) => {
      const target = testS3Target(server, bucket, `${prefix}${name}`);
      await publish({ from: v1, to: target, now: at(0), env });
      await publish({ from: v2, to: target, now: at(1), env });
      return target;
    };

    const runUntil = (to: string, point: string) => publishUntil(v3, to, point, at(30), env);

    beforeAll(async () => {
      if (!existsSync(built)) throw new Error(`${built} is missing: build the plugin first (npx nx run @ovirt-repo/plugin-publisher:build)`);
      ({ dir, cleanup } = await makeTempDir());
      bucket = await publicTestBucket(server);
      v1 = await makeRepo(join(dir, 'v1'), [rpmSpec('hello', '1.0'), rpmSpec('tools', '1.0')]);
      v2 = await makeRepo(join(dir, 'v2'), [rpmSpec('hello', '2.0'), rpmSpec('tools', '1.0')]);
      v3 = await makeRepo(join(dir, 'v3'), [rpmSpec('hello', '3.0'), rpmSpec('tools', '1.0')]);
      // What an uninterrupted publish of v3 on day 30 leaves (gen 1's metadata pruned on the way).
      const clean = await base('clean');
      try {
        const r = await publish({ from: v3, to: clean, now: at(30), env });
        expect(r.pruned.metadataFiles).toBeGreaterThan(0);
        reference = withoutLocks(await treeDigest(await download(clean, join(dir, 'clean'))));
      } finally {
        await clean.close();
      }
    }, 60_000);
    afterAll(async () => {
      await emptyS3Prefix(server, bucket, prefix);
      await cleanup();
    });

    it.each(POINTS)('killed at %s: still valid (checksums, dnf over HTTP), and the next publish finishes the job', async (point, listing) => {
      const name = point.replace(/:/g, '-');
      const target = await base(name);
      try {
        const killed = await runUntil(`s3://${bucket}/${prefix}${name}`, point);
        expect(killed.out).toBe(`AT ${point}`);
        // The dead writer's lease is still held.
        expect(JSON.parse((await readTargetFile(target, '.ovirt-repo/locks/publish.lock')).toString())).toMatchObject({ pid: killed.pid, state: 'held' });

        // Right after the kill: a complete repository, the old or the new one, and dnf reading the bucket agrees.
        const after = await download(target, join(dir, `${name}-after`));
        expect(await checkRepo(after)).toEqual(listing);
        expect(await dnf(join(dir, `${name}-dnf`)).available(`${server.endpoint}/${bucket}/${prefix}${name}`)).toEqual(listing);

        // The next run takes over the dead writer's lease at once and reaches exactly the uninterrupted result.
        await publish({ from: v3, to: target, now: at(30), env });
        const done = await download(target, join(dir, `${name}-done`));
        expect(await checkRepo(done)).toEqual(NEW);
        expect(withoutLocks(await treeDigest(done))).toEqual(reference);
        // ...and removed the dead writer's local scratch directories (the publish's and the s3 target's spool).
        expect((await readdir(tmpdir())).filter((n) => /^ovirt-repo-(publish|s3|spool)-/.test(n) && n.includes(`-${killed.pid}-`))).toEqual([]);
      } finally {
        await target.close();
      }
    }, 30_000);

    it(`killed at ${KILLS}+ random moments (seeded): each time still valid, and the next publish ends exactly as an uninterrupted one`, async () => {
      const random = seededRandom('publish kill series');
      // The range of delays: one whole publish in the child, start to end.
      const first = await base('whole');
      const t = Date.now();
      expect(await publishKilledAfter(v3, `s3://${bucket}/${prefix}whole`, 600_000, at(30), env)).toMatchObject({ killed: false });
      const whole = Date.now() - t;
      await first.close();
      let kills = 0;
      for (let i = 1; kills < KILLS && i <= 2 * KILLS; i++) {
        const name = `random-${i}`;
        const target = await base(name);
        try {
          const delay = Math.floor(random.next() * whole);
          if ((await publishKilledAfter(v3, `s3://${bucket}/${prefix}${name}`, delay, at(30), env)).killed) kills++;
          // Checksums of every file repomd names: a complete repository, the old or the new one.
          const listing = await checkRepo(await download(target, join(dir, `${name}-after`)));
          expect([[delay, OLD], [delay, NEW]]).toContainEqual([delay, listing]);
          await publish({ from: v3, to: target, now: at(30), env });
          expect([delay, withoutLocks(await treeDigest(await download(target, join(dir, `${name}-done`))))]).toEqual([delay, reference]);
        } finally {
          await target.close();
        }
      }
      expect(kills).toBeGreaterThanOrEqual(KILLS);
    }, 600_000);
  });
});
