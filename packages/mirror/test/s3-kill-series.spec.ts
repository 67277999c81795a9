import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Store } from '@ovirt-repo/core';
import { describeWithS3, describeWithTools, seededRandom, type S3TestServer, s3TestEnv } from '@ovirt-repo/test-support';
import { listSnapshotIds, readLatest, runGc, syncRepo, verifySnapshot } from '../src/index.js';
import { ensurePluginBuilt } from './helpers/built.js';
import { runChild } from './helpers/child.js';
import { makeRepo, pkg } from './helpers/fixtures.js';
import { historyChain, openS3TestStore, packagesOf } from './helpers/s3-history.js';

/** Kills per series (OVIRT_REPO_TEST_KILLS: more to hunt, fewer while developing). */
const KILLS = Number(process.env.OVIRT_REPO_TEST_KILLS ?? 20);
/** A killed writer's lease is broken after this long by the server's clock, so the next run waits little. */
const STALE_MS = 1000;
const BASE_URL = 'https://repos.example.org/ci';

/**
 * SIGKILL at random moments (seeded; the seed is printed, OVIRT_REPO_TEST_SEED replays it) of real syncs and
 * gcs in child processes on an s3:// store: after each kill latest verifies, and the next run, with nothing
 * cleaned by hand, ends where an uninterrupted run would.
 */
describeWithTools(['createrepo_c'], 'SIGKILL at random moments on an s3:// store', () => {
  describeWithS3('SIGKILL at random moments on an s3:// store (Ceph RGW)', (server: S3TestServer) => {
    let dir: string, location: string, store: Store, close: () => Promise<void>;

    beforeAll(() => ensurePluginBuilt());
    beforeEach(async () => ({ dir, location, store, close } = await openS3TestStore(server, 's3-kill-series-')));
    afterEach(() => close());

    /** Runs `op` in a child and SIGKILLs it after `delayMs`; true when the kill came before it ended. */
    async function killAfter(op: 'sync' | 'gc', options: object, delayMs: number): Promise<boolean> {
      const started = runChild(op, options, s3TestEnv(server));
      await Promise.race([sleep(delayMs), started.done]);
      started.child.kill('SIGKILL');
      const end = await started.done;
      if (end.signal !== 'SIGKILL') expect(end).toMatchObject({ code: 0 });
      return end.signal === 'SIGKILL';
    }

    const timed = async <T>(f: () => Promise<T>): Promise<number> => {
      const t = Date.now();
      await f();
      return Date.now() - t;
    };

    const latestVerifies = async (): Promise<string> => {
      const latest = await readLatest(store, 'exp');
      expect((await verifySnapshot(store, 'exp', latest)).id).toBe(latest);
      return latest!;
    };

    it(`mirror sync (additive deploys) killed at ${KILLS}+ random moments: latest always verifies, the next run lands the deploy`, async () => {
      const random = seededRandom('sync kill series');
      const deploy = (from: string) => ({ store: location, repo: 'exp', from: [from], mode: 'additive', baseUrl: BASE_URL, staleAfterMs: STALE_MS, lockTimeoutMs: 60_000 });
      await syncRepo(deploy(await makeRepo(join(dir, 'base'), [pkg('base')])) as Parameters<typeof syncRepo>[0]);
      const expected = ['base-1.0-1.noarch.rpm'];
      // The range of delays: one whole uninterrupted run in a child, start to end.
      const whole = await timed(async () => expect((await runChild('sync', deploy(await makeRepo(join(dir, 'k0'), [pkg('k0')])), s3TestEnv(server)).done).code).toBe(0));
      expected.push('k0-1.0-1.noarch.rpm');
      // Built ahead, in parallel: a kill that comes after a run ended does not count, so a few more than KILLS.
      const builds = await Promise.all(Array.from({ length: 2 * KILLS }, (_, i) => makeRepo(join(dir, `k${i + 1}`), [pkg(`k${i + 1}`)])));
      let kills = 0;
      for (let i = 1; kills < KILLS && i <= 2 * KILLS; i++) {
        const from = builds[i - 1]!;
        const delay = Math.floor(random.next() * whole);
        if (await killAfter('sync', deploy(from), delay)) kills++;
        await latestVerifies();
        const next = await syncRepo(deploy(from) as Parameters<typeof syncRepo>[0]);
        expect(next.snapshot).toBeDefined();
        expected.push(`k${i}-1.0-1.noarch.rpm`);
        expect([delay, await packagesOf(store, 'exp', await latestVerifies())]).toEqual([delay, [...expected].sort()]);
        expect((await historyChain(store, 'exp')).at(-1)!.id).toBe(await readLatest(store, 'exp'));
      }
      expect(kills).toBeGreaterThanOrEqual(KILLS);
    }, 300_000);

    it(`gc killed at ${KILLS}+ random moments: latest and every snapshot gc keeps verify, the next gc ends as planned`, async () => {
      const random = seededRandom('gc kill series');
      const gcOptions = { store: location, retention: { keep: 1 }, staleAfterMs: STALE_MS, lockTimeoutMs: 60_000 };
      // Mirror mode: each snapshot holds only its own package, so each gc removes a snapshot and a pool object.
      const builds = await Promise.all(Array.from({ length: 2 * KILLS + 2 }, (_, i) => makeRepo(join(dir, `g${i}`), [pkg(`g${i}`)])));
      const snapshot = (i: number) => syncRepo({ store: location, repo: 'exp', from: [builds[i]!], baseUrl: BASE_URL, staleAfterMs: STALE_MS });
      await snapshot(0);
      await snapshot(1);
      const whole = await timed(async () => expect((await runChild('gc', gcOptions, s3TestEnv(server)).done).code).toBe(0));
      let kills = 0;
      for (let i = 2; kills < KILLS && i <= 2 * KILLS; i++) {
        await snapshot(i);
        const plan = await runGc(store, { ...gcOptions, dryRun: true });
        const keep = plan.keptSnapshots.map((s) => s.id).sort();
        expect(plan.removedSnapshots).toHaveLength(1);
        const delay = Math.floor(random.next() * whole);
        if (await killAfter('gc', gcOptions, delay)) kills++;
        await latestVerifies();
        for (const id of keep) expect([delay, (await verifySnapshot(store, 'exp', id)).id]).toEqual([delay, id]);
        await runGc(store, gcOptions);
        expect([delay, await listSnapshotIds(store, 'exp')]).toEqual([delay, keep]);
        expect(await packagesOf(store, 'exp', await latestVerifies())).toEqual([`g${i}-1.0-1.noarch.rpm`]);
        expect((await store.list('pool', { recursive: true })).filter((e) => e.type === 'object')).toHaveLength(1);
      }
      expect(kills).toBeGreaterThanOrEqual(KILLS);
    }, 300_000);
  });
});
