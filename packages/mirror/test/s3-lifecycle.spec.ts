import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describeWithS3, describeWithTools, s3TestEnv, type S3TestServer } from '@ovirt-repo/test-support';
import type { Store } from '@ovirt-repo/core';
import { listRepoSummaries, readLatest, renameRepo, runGc, syncRepo, verifySnapshot } from '../src/index.js';
import Delete from '../src/commands/repo/delete.js';
import List from '../src/commands/repo/list.js';
import Rename from '../src/commands/repo/rename.js';
import Promote from '../src/commands/snapshot/promote.js';
import Pin from '../src/commands/snapshot/pin.js';
import { ensurePluginBuilt } from './helpers/built.js';
import { runChild, waitForFile } from './helpers/child.js';
import { runJson } from './helpers/commands.js';
import { makeRepo, pkg } from './helpers/fixtures.js';
import { openS3TestStore } from './helpers/s3-history.js';

const BASE_URL = 'https://repos.example.org/ci';
/** A killed writer's lease is broken after this long, so the rerun waits little. */
const STALE_MS = 1000;

/** Every object of a repo (but its status page): key relative to the repo -> sha256. */
async function objectsOf(store: Store, repo: string): Promise<Record<string, string>> {
  const prefix = `yum/${repo}/`;
  const out: Record<string, string> = {};
  for (const e of await store.list(`yum/${repo}`, { recursive: true })) {
    const rel = e.key.slice(prefix.length);
    if (rel !== 'index.html') out[rel] = createHash('sha256').update((await store.read(e.key))!.data).digest('hex');
  }
  return out;
}

/**
 * repo list/delete/rename and snapshot promote on an s3:// store (Ceph RGW), where a prefix is many objects
 * removed and copied one by one: the commands' results, and a rename killed between its copies.
 */
describeWithTools(['createrepo_c'], 'lifecycle commands on an s3:// store', () => {
  describeWithS3('lifecycle commands on an s3:// store, against Ceph RGW', (server: S3TestServer) => {
    let s3: Awaited<ReturnType<typeof openS3TestStore>>;
    let first: string;
    let second: string;
    let srcA: string;

    beforeAll(async () => {
      ensurePluginBuilt();
      s3 = await openS3TestStore(server, 's3-lifecycle-');
      process.env.XDG_CACHE_HOME = join(s3.dir, 'xdg');
      srcA = await makeRepo(join(s3.dir, 'a'), [pkg('alpha')]);
      const b = await makeRepo(join(s3.dir, 'b'), [pkg('beta')]);
      const sync = (repo: string, from: string[], mode: 'mirror' | 'additive' = 'mirror') => syncRepo({ store: s3.location, repo, from, mode, baseUrl: BASE_URL });
      first = (await sync('el9', [srcA])).snapshot!;
      second = (await sync('el9', [b], 'additive')).snapshot!;
      await sync('other', [b]);
    }, 120_000);
    afterAll(() => s3?.close());

    const run = <T>(cmd: Parameters<typeof runJson>[0], args: string[]) => runJson<T>(cmd, [...args, '--store', s3.location, '--base-url', BASE_URL]);

    it('list, promote, rename (refusing an existing name), delete (refusing pins without --force)', async () => {
      expect((await run(Pin, ['el9', first, '--reason', 'GA'])).exitCode).toBe(0);
      const listed = await run<{ repos: { repo: string; latest: string; snapshots: number; pins: { id: string }[]; url: string }[] }>(List, []);
      expect(listed.out.repos).toEqual([
        { repo: 'el9', latest: second, url: `${BASE_URL}/yum/el9/${second}`, snapshots: 2, pins: [{ id: first, reason: 'GA' }] },
        { repo: 'other', latest: expect.any(String) as string, url: expect.any(String) as string, snapshots: 1, pins: [] },
      ]);

      const promoted = await run<{ repo: string; snapshot: string; from: { repo: string; id: string } }>(Promote, ['el9', second, '--to', 'tested']);
      expect(promoted.exitCode).toBe(0);
      expect(promoted.out.from).toEqual({ repo: 'el9', id: second });
      const repodata = async (repo: string, id: string) => Object.fromEntries(Object.entries(await objectsOf(s3.store, repo)).filter(([k]) => k.startsWith(`${id}/repodata/`)).map(([k, v]) => [k.slice(id.length + 1), v]));
      expect(await repodata('tested', promoted.out.snapshot)).toEqual(await repodata('el9', second));
      expect(Object.keys(await repodata('el9', second))).toContain('repodata/repomd.xml');
      expect((await verifySnapshot(s3.store, 'tested', promoted.out.snapshot)).id).toBe(promoted.out.snapshot);

      const refused = await run<{ error: { code: string } }>(Rename, ['el9', 'other']);
      expect([refused.exitCode, refused.out.error.code]).toEqual([1, 'E_CONFLICT']);
      const before = await objectsOf(s3.store, 'el9');
      const renamed = await run<{ from: string; to: string; snapshots: number }>(Rename, ['el9', 'el10']);
      expect(renamed.out).toMatchObject({ from: 'el9', to: 'el10', snapshots: 2 });
      expect(await objectsOf(s3.store, 'el10')).toEqual(before);
      expect(await s3.store.list('yum/el9', { recursive: true })).toEqual([]);
      expect(await readLatest(s3.store, 'el10')).toBe(second);

      const pinned = await run<{ error: { code: string; message: string } }>(Delete, ['el10']);
      expect(pinned.out.error).toMatchObject({ code: 'E_CONFLICT', message: expect.stringContaining(`${first} (GA)`) as string });
      const deleted = await run<{ repo: string; snapshots: number; pins: string[] }>(Delete, ['el10', '--force']);
      expect(deleted.out).toMatchObject({ repo: 'el10', snapshots: 2, pins: [first] });
      expect(await s3.store.list('yum/el10', { recursive: true })).toEqual([]);
      expect((await listRepoSummaries(s3.store)).repos.map((r) => r.repo)).toEqual(['other', 'tested']);
      // gc keeps what the promoted snapshot uses, though its source is gone.
      await runGc(s3.store, { tempMaxAgeMs: 0 });
      expect((await verifySnapshot(s3.store, 'tested', promoted.out.snapshot)).id).toBe(promoted.out.snapshot);
    }, 60_000);

    it('a rename killed after its copies leaves the repo whole in sight; a rerun finishes it', async () => {
      const before = await objectsOf(s3.store, 'other');
      const pauseFile = join(s3.dir, 'paused');
      const child = runChild('repo-rename', { store: s3.location, repo: 'other', to: 'moved', baseUrl: BASE_URL, staleAfterMs: STALE_MS }, { ...s3TestEnv(server), OVIRT_REPO_TEST_PAUSE_AT: 'repo-rename-copied', OVIRT_REPO_TEST_PAUSE_FILE: pauseFile });
      await waitForFile(pauseFile);
      child.child.kill('SIGKILL');
      await child.done;
      const { repos, pending } = await listRepoSummaries(s3.store);
      expect(repos.map((r) => r.repo)).toEqual(['other', 'tested']);
      expect(pending.map((p) => p.finish)).toEqual(['ovirt-repo repo rename other moved']);
      // gc meanwhile keeps the packages of both copies.
      await runGc(s3.store, { tempMaxAgeMs: 0, staleAfterMs: STALE_MS });
      const r = await renameRepo(s3.store, 'other', 'moved', { baseUrl: BASE_URL, staleAfterMs: STALE_MS, lockTimeoutMs: 30_000 });
      expect(r).toMatchObject({ resumed: true, snapshots: 1 });
      expect(await objectsOf(s3.store, 'moved')).toEqual(before);
      const latest = await readLatest(s3.store, 'moved');
      expect((await verifySnapshot(s3.store, 'moved', latest)).id).toBe(latest);
      expect((await listRepoSummaries(s3.store)).repos.map((x) => x.repo)).toEqual(['moved', 'tested']);
    }, 60_000);
  });
});
