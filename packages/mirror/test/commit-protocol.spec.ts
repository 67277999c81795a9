import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { listSnapshots, openStore, readLatest, runGc, syncRepo } from '../src/index.js';
import { ensurePluginBuilt } from './helpers/built.js';
import { onOtherHost, runChild, waitForFile } from './helpers/child.js';
import { makeRepo, pkg } from './helpers/fixtures.js';
import { expectLatestVerifies, leftovers, snapshotFiles, snapshotIds } from './helpers/store-checks.js';

interface Record {
  id: string;
  parent: string | null;
}

/** The repo's history read from its files, in commit order from the first snapshot; fails on a fork or a gap. */
async function historyChain(store: string, repo: string): Promise<string[]> {
  const dir = join(store, 'yum', repo, 'history');
  const records = new Map<string, Record>();
  for (const name of await readdir(dir)) records.set(name, JSON.parse(await readFile(join(dir, name), 'utf8')) as Record);
  const chain: string[] = [];
  for (let r = records.get('root.json'); r; r = records.get(`${r.id}.json`)) {
    expect(r.parent).toBe(chain.at(-1) ?? null);
    chain.push(r.id);
  }
  expect(chain).toHaveLength(records.size);
  return chain;
}

const latestFile = (store: string, repo: string) => readFile(join(store, 'yum', repo, 'latest.txt'), 'utf8').then((s) => s.trim());

describeWithTools(['createrepo_c', 'unshare'], 'the commit protocol: history records, lost commits, roll forward', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: string;
  beforeAll(() => ensurePluginBuilt());
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    store = join(dir, 'store');
  });
  afterEach(() => cleanup());

  // before-latest: its snapshot is committed, its history record not yet; before-rename: its staged snapshot is
  // written, and its successor takes it for a dead writer's leftovers and removes it.
  it.each(['before-latest', 'before-rename'])('a writer paused (%s) past its lock\'s staleness loses the commit to its successor, builds again on the new head, and both deploys land', async (point) => {
    const base = await makeRepo(join(dir, 'base'), [pkg('base')]);
    const first = await syncRepo({ store, repo: 'exp', from: [base], mode: 'additive' });
    const a = await makeRepo(join(dir, 'a'), [pkg('alpha')]);
    const b = await makeRepo(join(dir, 'b'), [pkg('beta')]);
    const paused = join(dir, 'paused');
    const resume = join(dir, 'resume');
    // A writer on another host, stopped (a frozen VM): no heartbeat.
    const slow = runChild(
      'sync',
      { store, repo: 'exp', from: [a], mode: 'additive', staleAfterMs: 1000 },
      { OVIRT_REPO_TEST_PAUSE_AT: point, OVIRT_REPO_TEST_PAUSE_FILE: paused, OVIRT_REPO_TEST_RESUME_FILE: resume },
      onOtherHost('frozen-host'),
    );
    try {
      await waitForFile(paused);
      slow.child.kill('SIGSTOP');
      await new Promise((r) => setTimeout(r, 1500));
      const fast = await syncRepo({ store, repo: 'exp', from: [b], mode: 'additive', staleAfterMs: 1000, lockTimeoutMs: 10_000 });
      expect(fast).toMatchObject({ changed: true, previous: first.snapshot, commitAttempts: 1 });
      await writeFile(resume, '');
    } finally {
      slow.child.kill('SIGCONT');
    }
    const resumed = await slow.done;
    expect(resumed).toMatchObject({ code: 0, result: { changed: true, commitAttempts: 2 } });

    const latest = await expectLatestVerifies(store, 'exp');
    expect(latest).toBe(resumed.result!.snapshot);
    expect(await snapshotFiles(store, 'exp', latest)).toEqual(['alpha-1.0-1.noarch.rpm', 'base-1.0-1.noarch.rpm', 'beta-1.0-1.noarch.rpm']);
    const chain = await historyChain(store, 'exp');
    expect(chain).toHaveLength(3);
    expect(chain[0]).toBe(first.snapshot);
    expect(chain.at(-1)).toBe(latest);
    // The loser removed the snapshot it could not commit: every snapshot is in the history.
    expect(await snapshotIds(store, 'exp')).toEqual(chain);
    expect(await latestFile(store, 'exp')).toBe(latest);
    expect(await leftovers(store, 'exp')).toEqual([]);
  });

  it('a writer killed between its history record and moving latest.txt: readers see the new head, and the next writer moves latest.txt to it', async () => {
    const a = await makeRepo(join(dir, 'a'), [pkg('alpha')]);
    const b = await makeRepo(join(dir, 'b'), [pkg('beta')]);
    const first = await syncRepo({ store, repo: 'exp', from: [a], mode: 'additive' });
    const paused = join(dir, 'paused');
    const run = runChild('sync', { store, repo: 'exp', from: [b], mode: 'additive' }, { OVIRT_REPO_TEST_PAUSE_AT: 'before-cas', OVIRT_REPO_TEST_PAUSE_FILE: paused });
    await waitForFile(paused);
    run.child.kill('SIGKILL');
    await run.done;

    expect(await latestFile(store, 'exp')).toBe(first.snapshot);
    const chain = await historyChain(store, 'exp');
    const committed = chain.at(-1)!;
    expect(committed).not.toBe(first.snapshot);
    // Every reader follows the record: the latest snapshot is the committed one, complete.
    expect(await expectLatestVerifies(store, 'exp')).toBe(committed);
    const listed = await listSnapshots(await openStore(store), 'exp', { baseUrl: 'http://repo' });
    expect(listed.latest).toBe(committed);
    expect(listed.snapshots.filter((s) => s.latest).map((s) => s.id)).toEqual([committed]);

    // The next writer (of this host or any other) moves latest.txt forward and builds on the committed snapshot.
    const c = await makeRepo(join(dir, 'c'), [pkg('gamma')]);
    const next = await syncRepo({ store, repo: 'exp', from: [c], mode: 'additive', lockTimeoutMs: 10_000 });
    expect(next).toMatchObject({ changed: true, previous: committed });
    expect(await snapshotFiles(store, 'exp', next.snapshot!)).toEqual(['alpha-1.0-1.noarch.rpm', 'beta-1.0-1.noarch.rpm', 'gamma-1.0-1.noarch.rpm']);
    expect(await latestFile(store, 'exp')).toBe(next.snapshot);
    expect(await historyChain(store, 'exp')).toEqual([first.snapshot, committed, next.snapshot]);
  });

  it('gc also moves a lagging latest.txt forward', async () => {
    const a = await makeRepo(join(dir, 'a'), [pkg('alpha')]);
    const b = await makeRepo(join(dir, 'b'), [pkg('beta')]);
    const first = await syncRepo({ store, repo: 'exp', from: [a], mode: 'additive' });
    const paused = join(dir, 'paused');
    const run = runChild('sync', { store, repo: 'exp', from: [b], mode: 'additive' }, { OVIRT_REPO_TEST_PAUSE_AT: 'before-cas', OVIRT_REPO_TEST_PAUSE_FILE: paused });
    await waitForFile(paused);
    run.child.kill('SIGKILL');
    await run.done;
    expect(await latestFile(store, 'exp')).toBe(first.snapshot);
    const head = (await historyChain(store, 'exp')).at(-1);
    const gc = await runGc(await openStore(store), { retention: { keep: 1, maxAgeMs: 0 } });
    expect(gc.removedSnapshots).toEqual([{ repo: 'exp', id: first.snapshot }]);
    expect(await latestFile(store, 'exp')).toBe(head);
    expect(await snapshotIds(store, 'exp')).toEqual([head]);
    await expectLatestVerifies(store, 'exp');
  });

  it('8 additive deploys of 8 builds started at once all land, in one strictly ordered history', async () => {
    const builds: string[] = [];
    for (let i = 0; i < 8; i++) builds.push(await makeRepo(join(dir, `build${i}`), [pkg(`component${i}`, `1.${i}`)]));
    const runs = builds.map((b) => runChild('sync', { store, repo: 'experimental', from: [b], mode: 'additive', lockTimeoutMs: 120_000 }));
    const results = await Promise.all(runs.map((r) => r.done));
    for (const r of results) expect(r).toMatchObject({ code: 0, result: { changed: true } });
    const latest = await expectLatestVerifies(store, 'experimental');
    expect(await snapshotFiles(store, 'experimental', latest)).toEqual(builds.map((_, i) => `component${i}-1.${i}-1.noarch.rpm`).sort());
    const chain = await historyChain(store, 'experimental');
    expect(chain).toEqual(results.map((r) => r.result!.snapshot as string).sort());
    expect(chain.at(-1)).toBe(latest);
    // Each deploy built on the one before it.
    const previous = new Map(results.map((r) => [r.result!.snapshot as string, r.result!.previous as string | null]));
    chain.forEach((id, i) => expect(previous.get(id)).toBe(chain[i - 1] ?? null));
    expect(await snapshotIds(store, 'experimental')).toEqual(chain);
  });

  it('gc removes a snapshot no history record names only after its grace period, and records only of snapshots that are gone', async () => {
    const builds: string[] = [];
    for (let i = 0; i < 3; i++) builds.push(await makeRepo(join(dir, `b${i}`), [pkg(`p${i}`)]));
    const ids: string[] = [];
    for (const b of builds) ids.push((await syncRepo({ store, repo: 'exp', from: [b], mode: 'additive' })).snapshot!);
    // A writer killed after committing its snapshot and before its history record: a snapshot nothing names.
    const d = await makeRepo(join(dir, 'd'), [pkg('delta')]);
    const paused = join(dir, 'paused');
    const run = runChild('sync', { store, repo: 'exp', from: [d], mode: 'additive' }, { OVIRT_REPO_TEST_PAUSE_AT: 'before-latest', OVIRT_REPO_TEST_PAUSE_FILE: paused });
    await waitForFile(paused);
    run.child.kill('SIGKILL');
    await run.done;
    const unrecorded = (await snapshotIds(store, 'exp')).find((id) => !ids.includes(id))!;
    expect(unrecorded).toBeDefined();
    expect(await readLatest(await openStore(store), 'exp')).toBe(ids[2]);

    // Young: kept (it could be a writer about to create its record), and not counted by retention.
    const young = await runGc(await openStore(store), { retention: { keep: 1, maxAgeMs: 0 } });
    expect(young.keptSnapshots).toEqual(expect.arrayContaining([{ repo: 'exp', id: unrecorded, reason: 'unrecorded' }, { repo: 'exp', id: ids[2], reason: 'latest' }]));
    expect(young.removedSnapshots).toEqual([ids[1], ids[0]].map((id) => ({ repo: 'exp', id })));
    // The records on the removed snapshots went with them; the history still leads from latest.txt to the head.
    expect(young.removedHistoryRecords).toBe(2);
    expect(await readdir(join(store, 'yum', 'exp', 'history'))).toEqual(['root.json']);
    expect(await readLatest(await openStore(store), 'exp')).toBe(ids[2]);

    // Older than the grace period: removed.
    const old = await runGc(await openStore(store), { tempMaxAgeMs: 0 });
    expect(old.removedSnapshots).toEqual([{ repo: 'exp', id: unrecorded, unrecorded: true }]);
    expect(await snapshotIds(store, 'exp')).toEqual([ids[2]]);
    await expectLatestVerifies(store, 'exp');
    const next = await syncRepo({ store, repo: 'exp', from: [d], mode: 'additive' });
    expect(next).toMatchObject({ changed: true, previous: ids[2] });
  });

  it('a store written before history records keeps working: its snapshots are no unrecorded ones, and the history starts at its latest', async () => {
    const a = await makeRepo(join(dir, 'a'), [pkg('alpha')]);
    const b = await makeRepo(join(dir, 'b'), [pkg('beta')]);
    const first = await syncRepo({ store, repo: 'exp', from: [a], mode: 'additive' });
    const second = await syncRepo({ store, repo: 'exp', from: [b], mode: 'additive' });
    await rm(join(store, 'yum', 'exp', 'history'), { recursive: true });

    const gc = await runGc(await openStore(store), { tempMaxAgeMs: 0 });
    expect(gc.removedSnapshots).toEqual([]);
    const c = await makeRepo(join(dir, 'c'), [pkg('gamma')]);
    const next = await syncRepo({ store, repo: 'exp', from: [c], mode: 'additive' });
    expect(next).toMatchObject({ changed: true, previous: second.snapshot });
    expect(await readdir(join(store, 'yum', 'exp', 'history'))).toEqual([`${second.snapshot}.json`]);
    const again = await runGc(await openStore(store), { tempMaxAgeMs: 0 });
    expect(again.removedSnapshots).toEqual([]);
    expect(await snapshotIds(store, 'exp')).toEqual([first.snapshot, second.snapshot, next.snapshot]);
  });
});
