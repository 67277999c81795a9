import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type S3Client, type Store } from '@ovirt-repo/core';
import { describeWithS3, describeWithTools, s3TestEnv, type S3TestServer } from '@ovirt-repo/test-support';
import { listSnapshotIds, readLatest, syncRepo, verifySnapshot } from '../src/index.js';
import { ensurePluginBuilt } from './helpers/built.js';
import { onOtherHost, runChild, waitForFile } from './helpers/child.js';
import { makeRepo, pkg } from './helpers/fixtures.js';
import { historyChain, openS3TestStore, packagesOf } from './helpers/s3-history.js';

const STALE_MS = 1000;
const BASE_URL = 'https://repos.example.org/ci';

/**
 * A writer on another host frozen (SIGSTOP: a stopped VM) past its lease's staleness, on an s3:// store:
 * its successor breaks the lease and commits. Whatever the frozen writer had done by then, when it wakes it
 * loses the commit, builds again on the new head, and both deploys land; nothing it staged is ever seen
 * half-removed (the staging marker is claimed by compare-and-swap: store/s3/markers.ts).
 */
describeWithTools(['createrepo_c', 'unshare'], 'a paused writer on an s3:// store', () => {
  describeWithS3('a paused writer on an s3:// store (Ceph RGW)', (server: S3TestServer) => {
    let dir: string, client: S3Client, prefix: string, location: string, store: Store, close: () => Promise<void>;

    beforeAll(() => ensurePluginBuilt());
    beforeEach(async () => ({ dir, client, prefix, location, store, close } = await openS3TestStore(server, 's3-paused-')));
    afterEach(() => close());

    // before-rename: its staged snapshot is written, and its successor takes it for a dead writer's
    // leftovers; before-latest: its snapshot is visible, its history record not yet made. The successor
    // commits first, or is itself held before its commit while the frozen writer wakes and commits first.
    it.each([
      ['before-rename', 'the successor'],
      ['before-rename', 'the frozen writer'],
      ['before-latest', 'the successor'],
    ])('frozen at %s, %s committing first: the other builds again on the new head, and both deploys land', async (point, firstToCommit) => {
      const deploy = (from: string) => ({ store: location, repo: 'exp', from: [from], mode: 'additive' as const, baseUrl: BASE_URL, staleAfterMs: STALE_MS, lockTimeoutMs: 20_000 });
      const first = await syncRepo(deploy(await makeRepo(join(dir, 'base'), [pkg('base')])));
      const a = await makeRepo(join(dir, 'a'), [pkg('alpha')]);
      const b = await makeRepo(join(dir, 'b'), [pkg('beta')]);
      const hold = (name: string, at: string) => ({ OVIRT_REPO_TEST_PAUSE_AT: at, OVIRT_REPO_TEST_PAUSE_FILE: join(dir, `${name}.paused`), OVIRT_REPO_TEST_RESUME_FILE: join(dir, `${name}.resume`) });
      const slow = runChild('sync', deploy(a), { ...s3TestEnv(server), ...hold('slow', point) }, onOtherHost('frozen-host'));
      let successor: Awaited<ReturnType<typeof runChild>['done']> | undefined;
      try {
        await waitForFile(join(dir, 'slow.paused'));
        slow.child.kill('SIGSTOP');
        await new Promise((r) => setTimeout(r, STALE_MS + 1500));
        if (firstToCommit === 'the successor') {
          const fast = runChild('sync', deploy(b), s3TestEnv(server));
          successor = await fast.done;
          await writeFile(join(dir, 'slow.resume'), '');
        } else {
          // The successor breaks the lease and removes the frozen writer's staged set, then waits before its commit.
          const fast = runChild('sync', deploy(b), { ...s3TestEnv(server), ...hold('fast', 'before-rename') });
          await waitForFile(join(dir, 'fast.paused'));
          await writeFile(join(dir, 'slow.resume'), '');
          slow.child.kill('SIGCONT');
          expect(await slow.done).toMatchObject({ code: 0 });
          await writeFile(join(dir, 'fast.resume'), '');
          successor = await fast.done;
        }
      } finally {
        slow.child.kill('SIGCONT');
      }
      const resumed = await slow.done;
      const [winner, loser] = firstToCommit === 'the successor' ? [successor!, resumed] : [resumed, successor!];
      expect(winner).toMatchObject({ code: 0, result: { changed: true, previous: first.snapshot, commitAttempts: firstToCommit === 'the successor' ? 1 : 2 } });
      expect(loser).toMatchObject({ code: 0, result: { changed: true, previous: winner.result!.snapshot, commitAttempts: 2 } });

      const latest = (await readLatest(store, 'exp'))!;
      expect(latest).toBe(loser.result!.snapshot);
      expect((await verifySnapshot(store, 'exp', latest)).id).toBe(latest);
      expect(await packagesOf(store, 'exp', latest)).toEqual(['alpha-1.0-1.noarch.rpm', 'base-1.0-1.noarch.rpm', 'beta-1.0-1.noarch.rpm']);
      const chain = (await historyChain(store, 'exp')).map((r) => r.id);
      expect(chain).toEqual([first.snapshot, winner.result!.snapshot, latest]);
      // Every snapshot there is is in the history, and nothing is left staged.
      expect(await listSnapshotIds(store, 'exp')).toEqual(chain);
      const staged: string[] = [];
      for await (const e of client.list(server.bucket, { prefix: `${prefix}/.ovirt-repo/staging/` })) staged.push(e.key);
      expect(staged).toEqual([]);
    });
  });
});
