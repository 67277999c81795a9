import { createHash } from 'node:crypto';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import Gc from '../src/commands/gc.js';
import Pin from '../src/commands/snapshot/pin.js';
import Unpin from '../src/commands/snapshot/unpin.js';
import { openStore, syncRepo, verifySnapshot } from '../src/index.js';
import { makeRepo, pkg } from './helpers/fixtures.js';
import { snapshotIds } from './helpers/store-checks.js';
import { runJson } from './helpers/commands.js';

const DAY = 86_400_000;
const BASE_URL = 'http://mirrors.example.org/repos';

interface Snap {
  repo: string;
  id: string;
  /** The one package file only this snapshot has. */
  file: string;
}

/**
 * `ovirt-repo gc` with retention from ovirt-repo.yaml, and `snapshot pin --from-lock`: a store with
 * snapshots made at controlled times (days old), a config file, and a run lock.
 */
describeWithTools(['createrepo_c'], 'retention from the config, and pins from a run lock', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: string;
  let config: string;
  let lock: string;
  const snaps: Record<string, Snap> = {};
  const repomdOf = async (s: Snap) => readFile(join(store, 'yum', s.repo, s.id, 'repodata', 'repomd.xml'));
  const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const exists = (p: string) => access(p).then(
    () => true,
    () => false,
  );

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    store = join(dir, 'store');
    const now = Date.now();
    // name -> [repo, age in days]; each snapshot has a package version of its own (mirror mode).
    const plan: [string, string, number][] = [
      ['A', 'exp', 40],
      ['B', 'exp', 20],
      ['C', 'exp', 10],
      ['D', 'exp', 5],
      ['E', 'exp', 2],
      ['F', 'exp', 1],
      ['G', 'up', 31],
      ['H', 'up', 20],
      ['I', 'up', 10],
      ['J', 'up', 9],
      ['K', 'archive', 50],
      ['L', 'archive', 40],
      ['M', 'archive', 30],
    ];
    for (const [i, [name, repo, age]] of plan.entries()) {
      const src = await makeRepo(join(dir, `src-${name}`), [pkg(`${repo}-tool`, `1.${i}`)]);
      const r = await syncRepo({ store, repo, from: [src], now: now - age * DAY, baseUrl: BASE_URL });
      expect(r.changed).toBe(true);
      snaps[name] = { repo, id: r.snapshot!, file: join(store, JSON.parse(await readFile(join(store, 'yum', repo, r.snapshot!, 'snapshot.json'), 'utf8')).packages[0].href) };
    }
    config = join(dir, 'ovirt-repo.yaml');
    await writeFile(
      config,
      `store: ${store}
baseUrl: ${BASE_URL}
defaults:
  retention: { maxAge: 7d, keep: 2 }
repos:
  exp:
    mode: additive
    retention: { maxAge: 3d, keep: 1 }
  archive:
    source: ${join(dir, 'src-M')}
    retention: { keep: 10 }
`,
    );
    // A run used B (through this store's base URL), H (through another name of the same server), and
    // repos of other servers.
    lock = join(dir, 'run.lock.json');
    const entry = async (repo: string, url: string, s?: Snap) => ({ repo, url, repomd: s ? { sha256: sha256(await repomdOf(s)), size: (await repomdOf(s)).length } : null });
    await writeFile(
      lock,
      JSON.stringify(
        {
          version: 1,
          createdAt: '2026-11-26T10:00:00.000Z',
          createdBy: 'ovirt-repo/0.1.0',
          map: { uri: `${BASE_URL}/yum/all_latest.json`, varname: 'latest_ci_repos', sources: [`${BASE_URL}/yum/all_latest.json`] },
          options: { allowProxy: false, noneValue: null },
          entries: [
            await entry('ovirt-experimental', `${BASE_URL}/yum/exp/${snaps.B!.id}`, snaps.B),
            await entry('centos-base', `http://mirrors.internal:8080/yum/up/${snaps.H!.id}/`, snaps.H),
            await entry('other-store', `http://elsewhere.example.com/yum/exp/20200101T000000.000Z`),
            await entry('upstream', 'http://mirror.centos.org/centos/9-stream/BaseOS/x86_64/os/'),
            await entry('with-vars', `${BASE_URL}/yum/exp/$basearch`),
          ],
          files: [],
        },
        null,
        2,
      ),
    );
  });
  afterAll(() => cleanup());

  it('pins every snapshot of this store a lock names, and lists the rest as skipped', async () => {
    const { out, exitCode } = await runJson<{ pinned: { repo: string; id: string; lockRepos: string[]; changed: boolean; reason: string }[]; skipped: { repo: string; reason: string }[] }>(Pin, [
      '--from-lock',
      lock,
      '--config',
      config,
    ]);
    expect(exitCode).toBe(0);
    expect(out.pinned.map((p) => [p.repo, p.id, p.lockRepos, p.changed])).toEqual([
      ['exp', snaps.B!.id, ['ovirt-experimental'], true],
      ['up', snaps.H!.id, ['centos-base'], true],
    ]);
    expect(out.pinned[0]!.reason).toBe('run lock run.lock.json of 2026-11-26T10:00:00.000Z');
    expect(out.skipped.map((s) => s.repo)).toEqual(['other-store', 'upstream', 'with-vars']);
    expect(out.skipped[0]!.reason).toContain('not a snapshot of this store');
    // Pinning again changes nothing and keeps the reason.
    const again = await runJson<{ pinned: { changed: boolean }[] }>(Pin, ['--from-lock', lock, '--config', config]);
    expect(again.out.pinned.map((p) => p.changed)).toEqual([false, false]);
    // A pin by hand, for "never pinned".
    expect((await runJson(Pin, ['exp', snaps.C!.id, '--reason', 'manual', '--config', config])).exitCode).toBe(0);
  });

  it('flags replace the one retention value they name, for every repo', async () => {
    const { out } = await runJson<{ removedSnapshots: { repo: string; id: string }[]; retention: Record<string, unknown> }>(Gc, ['--max-age', '30d', '--dry-run', '--config', config]);
    expect(out.retention).toEqual({ archive: { maxAgeMs: 30 * DAY, keep: 10 }, exp: { maxAgeMs: 30 * DAY, keep: 1 }, up: { maxAgeMs: 30 * DAY, keep: 2 } });
    expect(out.removedSnapshots).toEqual([
      { repo: 'exp', id: snaps.A!.id },
      { repo: 'up', id: snaps.G!.id },
    ]);
    expect(await snapshotIds(store, 'exp')).toHaveLength(6);
  });

  it("plain gc applies each repo's retention: never latest, never pinned, keeps the newest N, removes the old and their pool files", async () => {
    const { out, exitCode } = await runJson<{
      removedSnapshots: { repo: string; id: string }[];
      keptSnapshots: { repo: string; id: string; reason: string }[];
      removedPoolFiles: number;
      retention: Record<string, unknown>;
    }>(Gc, ['--config', config]);
    expect(exitCode).toBe(0);
    expect(out.retention).toEqual({ archive: { maxAgeMs: 7 * DAY, keep: 10 }, exp: { maxAgeMs: 3 * DAY, keep: 1 }, up: { maxAgeMs: 7 * DAY, keep: 2 } });
    const removed = ['D', 'A', 'G'].map((n) => ({ repo: snaps[n]!.repo, id: snaps[n]!.id }));
    expect(out.removedSnapshots).toEqual(removed); // newest first, per repo
    const why = Object.fromEntries(out.keptSnapshots.map((k) => [Object.entries(snaps).find(([, s]) => s.id === k.id && s.repo === k.repo)![0], k.reason]));
    expect(why).toEqual({ B: 'pinned', C: 'pinned', E: 'young', F: 'latest', H: 'pinned', I: 'newest', J: 'latest', K: 'newest', L: 'newest', M: 'latest' });
    expect(await snapshotIds(store, 'exp')).toEqual(['B', 'C', 'E', 'F'].map((n) => snaps[n]!.id));
    expect(await snapshotIds(store, 'up')).toEqual(['H', 'I', 'J'].map((n) => snaps[n]!.id));
    expect(await snapshotIds(store, 'archive')).toHaveLength(3);
    // The packages only removed snapshots used are gone from the pool; every other one is still there.
    expect(out.removedPoolFiles).toBe(3);
    for (const [name, s] of Object.entries(snaps)) expect([name, await exists(s.file)]).toEqual([name, !['A', 'D', 'G'].includes(name)]);
    // The status page no longer lists them.
    const page = await readFile(join(store, 'index.html'), 'utf8');
    const linked = (s: Snap) => page.includes(`href="yum/${s.repo}/${s.id}/"`);
    for (const n of ['A', 'D', 'G']) expect([n, linked(snaps[n]!)]).toEqual([n, false]);
    expect(linked(snaps.B!)).toBe(true);
  });

  it('the pinned lock still reproduces: its snapshots verify and serve the recorded repomd.xml', async () => {
    const layout = await openStore(store);
    const recorded = JSON.parse(await readFile(lock, 'utf8')) as { entries: { url: string; repomd: { sha256: string } | null }[] };
    for (const s of [snaps.B!, snaps.H!]) {
      const entry = recorded.entries.find((e) => e.url.replace(/\/$/, '').endsWith(`/yum/${s.repo}/${s.id}`))!;
      expect(sha256(await repomdOf(s))).toBe(entry.repomd!.sha256);
      await expect(verifySnapshot(layout, s.repo, s.id)).resolves.toMatchObject({ packages: 1, checksummed: true });
    }
  });

  it('unpin --from-lock hands them back to retention; then a lock naming removed snapshots cannot be pinned', async () => {
    const un = await runJson<{ unpinned: { repo: string; id: string; changed: boolean }[]; skipped: unknown[] }>(Unpin, ['--from-lock', lock, '--config', config]);
    expect(un.out.unpinned.map((u) => [u.repo, u.id, u.changed])).toEqual([
      ['exp', snaps.B!.id, true],
      ['up', snaps.H!.id, true],
    ]);
    const gc = await runJson<{ removedSnapshots: { repo: string; id: string }[] }>(Gc, ['--config', config]);
    expect(gc.out.removedSnapshots).toEqual([
      { repo: 'exp', id: snaps.B!.id },
      { repo: 'up', id: snaps.H!.id },
    ]);
    expect(await snapshotIds(store, 'exp')).toContain(snaps.C!.id); // still pinned by hand

    // B was this store's (below its base URL) and is gone: an error, nothing pinned. H was matched by its
    // path only; now that it is gone it could be another server's, so it is skipped.
    const failed = await runJson<{ error: { code: string; message: string; data: { missing: { repo: string; id: string }[] } } }>(Pin, ['--from-lock', lock, '--config', config]);
    expect(failed.exitCode).toBe(1);
    expect(failed.out.error.code).toBe('E_NOT_FOUND');
    expect(failed.out.error.message).toContain(`exp/${snaps.B!.id}`);
    expect(failed.out.error.data.missing).toEqual([expect.objectContaining({ repo: 'exp', id: snaps.B!.id })]);
    // Unpinning what is gone is not an error.
    const again = await runJson<{ unpinned: unknown[]; skipped: { repo: string }[] }>(Unpin, ['--from-lock', lock, '--config', config]);
    expect(again.exitCode).toBe(0);
    expect(again.out.unpinned).toEqual([]);
    expect(again.out.skipped.map((s) => s.repo)).toEqual(['centos-base', 'other-store', 'upstream', 'with-vars', 'ovirt-experimental']);
  });

  it('refuses bad locks and bad arguments with clear errors', async () => {
    const v2 = join(dir, 'v2.lock.json');
    await writeFile(v2, JSON.stringify({ version: 2, entries: [] }));
    const newer = await runJson<{ error: { code: string; message: string } }>(Pin, ['--from-lock', v2, '--config', config]);
    expect(newer.out.error).toMatchObject({ code: 'E_CONFIG_INVALID', message: expect.stringContaining('lock format version 2 is not supported') });
    const broken = join(dir, 'broken.lock.json');
    // A complete lock but for one entry without its url, as a hand edit might leave it.
    const whole = JSON.parse(await readFile(lock, 'utf8')) as { entries: Array<Record<string, unknown>> };
    whole.entries = [{ repo: 'x', repomd: null }];
    await writeFile(broken, JSON.stringify(whole, null, 2));
    const bad = await runJson<{ error: { code: string; message: string } }>(Pin, ['--from-lock', broken, '--config', config]);
    expect(bad.out.error.code).toBe('E_CONFIG_INVALID');
    expect(bad.out.error.message).toMatch(/broken\.lock\.json:\d+: not a valid lock file: entries\[0\]\.url/);
    const missing = await runJson<{ error: { code: string } }>(Pin, ['--from-lock', join(dir, 'nope.json'), '--config', config]);
    expect(missing.exitCode).toBe(1);
    const both = await runJson<{ error: { code: string } }>(Pin, ['exp', 'latest', '--from-lock', lock, '--config', config]);
    expect(both.out.error.code).toBe('E_USAGE');
    expect(both.exitCode).toBe(2);
    const none = await runJson<{ error: { code: string } }>(Unpin, ['--config', config]);
    expect(none.out.error.code).toBe('E_USAGE');
  });
});
