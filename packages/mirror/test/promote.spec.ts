import { createHash } from 'node:crypto';
import { cp, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeWithTools, makeGpgHome, makeTempDir } from '@ovirt-repo/test-support';
import { listRepoSummaries, openStore, promoteSnapshot, readLatest, runGc, syncRepo, verifySnapshot, writeIndex, type SnapshotRecord } from '../src/index.js';
import { ensurePluginBuilt } from './helpers/built.js';
import { runChild, waitForFile } from './helpers/child.js';
import { ovirtRepo } from './helpers/commands.js';
import { dnfReader } from './helpers/dnf.js';
import { makeRepo, pkg } from './helpers/fixtures.js';

/** name -> sha256 of every file below a snapshot's repodata/. */
async function repodata(store: string, repo: string, id: string): Promise<Record<string, string>> {
  const dir = join(store, 'yum', repo, id, 'repodata');
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) out[name] = createHash('sha256').update(await readFile(join(dir, name))).digest('hex');
  return out;
}

const record = async (store: string, repo: string, id: string) => JSON.parse(await readFile(join(store, 'yum', repo, id, 'snapshot.json'), 'utf8')) as SnapshotRecord;

describeWithTools(['createrepo_c', 'dnf', 'gpg'], 'snapshot promote', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  /** Repo exp with two snapshots (the first: alpha; the latest: alpha and beta), repo tested with gamma. */
  let pristine: string;
  let first: string;
  let second: string;
  let srcC: string;

  beforeAll(async () => {
    ensurePluginBuilt();
    ({ dir, cleanup } = await makeTempDir('promote-'));
    pristine = join(dir, 'pristine');
    const a = await makeRepo(join(dir, 'a'), [pkg('alpha')]);
    const b = await makeRepo(join(dir, 'b'), [pkg('beta')]);
    srcC = await makeRepo(join(dir, 'c'), [pkg('gamma')]);
    first = (await syncRepo({ store: pristine, repo: 'exp', from: [a] })).snapshot!;
    second = (await syncRepo({ store: pristine, repo: 'exp', from: [b], mode: 'additive' })).snapshot!;
    await syncRepo({ store: pristine, repo: 'tested', from: [srcC] });
  }, 60_000);
  afterAll(() => cleanup());

  let n = 0;
  const copy = async () => {
    const to = join(dir, `store${++n}`);
    await cp(pristine, to, { recursive: true, verbatimSymlinks: true });
    return to;
  };

  it('promote --json makes a new repo whose latest has the source snapshot\'s repodata byte for byte, records its origin, and dnf reads the same content', async () => {
    const store = await copy();
    const r = await ovirtRepo(['snapshot', 'promote', 'exp', second, '--to', 'fresh', '--store', store, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { from: { repo: string; id: string }; repo: string; snapshot: string; url: string; packages: number; signed: boolean; parent?: string };
    expect(out).toMatchObject({ from: { repo: 'exp', id: second }, repo: 'fresh', packages: 2, signed: false });
    expect(out.parent).toBeUndefined();
    expect(out.snapshot).not.toBe(second);
    expect(await readLatest(await openStore(store), 'fresh')).toBe(out.snapshot);
    expect(await repodata(store, 'fresh', out.snapshot)).toEqual(await repodata(store, 'exp', second));
    const rec = await record(store, 'fresh', out.snapshot);
    expect(rec).toMatchObject({ repo: 'fresh', id: out.snapshot, promotedFrom: { repo: 'exp', id: second } });
    expect(rec.packages).toEqual((await record(store, 'exp', second)).packages);
    expect((await verifySnapshot(await openStore(store), 'fresh', out.snapshot)).id).toBe(out.snapshot);
    // What a client gets: dnf reposync of both snapshots writes the same files.
    const read = async (repo: string, id: string) => dnfReader(pathToFileURL(join(store, 'yum', repo, id)).href, join(dir, `dnf-${n}-${repo}`)).reposync();
    expect(await read('fresh', out.snapshot)).toEqual(await read('exp', second));
    // No package was copied: the pool holds alpha, beta and gamma once.
    expect((await readdir(join(store, 'pool'), { recursive: true })).filter((f) => f.endsWith('.rpm'))).toHaveLength(3);
    const index = JSON.parse(await readFile(join(store, 'yum', 'all_latest.json'), 'utf8')) as { latest_ci_repos: Record<string, string> };
    expect(index.latest_ci_repos.fresh).toBe(out.url);
    const show = await ovirtRepo(['snapshot', 'show', 'fresh', 'latest', '--store', store]);
    expect(show.stdout).toContain(`Promoted:  from exp/${second}`);
  }, 60_000);

  it('promote into an existing repo moves its latest forward, with the history and summary of a commit, and a sync goes on from there', async () => {
    const store = await copy();
    const s = await openStore(store);
    const before = await readLatest(s, 'tested');
    const r = await promoteSnapshot(s, 'exp', first, 'tested');
    expect(r).toMatchObject({ repo: 'tested', parent: before, packages: 1 });
    expect(await readLatest(s, 'tested')).toBe(r.snapshot);
    expect((await record(store, 'tested', r.snapshot)).parent).toBe(before);
    const summary = JSON.parse(await readFile(join(store, 'yum', 'tested', r.snapshot, 'summary.json'), 'utf8')) as { changes: { added: number; removed: number } };
    expect(summary.changes).toMatchObject({ added: 1, removed: 1 });
    const next = await syncRepo({ store, repo: 'tested', from: [srcC], mode: 'additive' });
    expect(next.changed).toBe(true);
    expect((await record(store, 'tested', next.snapshot!)).packages.map((p) => p.name).sort()).toEqual(['alpha', 'gamma']);
    // A rollback: the repo's own older snapshot becomes its latest again.
    const back = await promoteSnapshot(s, 'exp', first, 'exp');
    expect(await repodata(store, 'exp', back.snapshot)).toEqual(await repodata(store, 'exp', first));
    expect(await readLatest(s, 'exp')).toBe(back.snapshot);
  });

  it('a signed snapshot promoted stays signed: its repomd.xml, signature and key are carried, and verify checks them with gpg', async () => {
    const store = await copy();
    const gpg = await makeGpgHome(join(dir, `gpg-${n}`));
    try {
      const key = await gpg.makeKey('ed25519', 'Mirror <mirror@example.org>');
      const signed = await syncRepo({ store, repo: 'signed', from: [srcC], sign: { key: key.fingerprint }, env: gpg.env });
      const s = await openStore(store);
      const r = await promoteSnapshot(s, 'signed', signed.snapshot!, 'tested');
      expect(r.signed).toBe(true);
      expect((await record(store, 'tested', r.snapshot)).signature).toEqual((await record(store, 'signed', signed.snapshot!)).signature);
      const key2 = (repo: string, id: string) => readFile(join(store, 'yum', repo, id, 'RPM-GPG-KEY'), 'utf8');
      expect(await key2('tested', r.snapshot)).toBe(await key2('signed', signed.snapshot!));
      expect(await repodata(store, 'tested', r.snapshot)).toEqual(await repodata(store, 'signed', signed.snapshot!));
      expect(Object.keys(await repodata(store, 'tested', r.snapshot))).toContain('repomd.xml.asc');
      const verified = await verifySnapshot(s, 'tested', r.snapshot);
      expect(verified.id).toBe(r.snapshot);
    } finally {
      await gpg.close();
    }
  }, 60_000);

  it('refuses an unknown snapshot and an invalid target name, writing nothing', async () => {
    const store = await copy();
    const s = await openStore(store);
    await expect(promoteSnapshot(s, 'exp', '20200101T000000.000Z', 'tested')).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    await expect(promoteSnapshot(s, 'exp', first, '../x')).rejects.toMatchObject({ code: 'E_USAGE' });
    expect((await listRepoSummaries(s)).repos.map((r) => [r.repo, r.snapshots])).toEqual([['exp', 2], ['tested', 1]]);
  });

  it.each(['promote-staged', 'before-latest', 'before-cas'])('a promote killed at %s leaves a consistent store, and a rerun promotes', async (point) => {
    const store = await copy();
    const pauseFile = join(dir, `paused-${n}`);
    const run = runChild('promote', { store, repo: 'exp', id: second, to: 'tested' }, { OVIRT_REPO_TEST_PAUSE_AT: point, OVIRT_REPO_TEST_PAUSE_FILE: pauseFile });
    await waitForFile(pauseFile);
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    const s = await openStore(store);
    // Committed at the history record (before-cas is after it): from there on the promoted snapshot is the
    // latest; before it (staged, or its directory in place with no record) the latest is as it was.
    const latest = await readLatest(s, 'tested');
    expect((await record(store, 'tested', latest!)).promotedFrom).toEqual(point === 'before-cas' ? { repo: 'exp', id: second } : undefined);
    for (const r of (await listRepoSummaries(s)).repos) expect((await verifySnapshot(s, r.repo, r.latest)).id).toBe(r.latest);
    await writeIndex(s);
    await runGc(s, { tempMaxAgeMs: 0 });
    const again = await promoteSnapshot(s, 'exp', second, 'tested', { lockTimeoutMs: 10_000 });
    expect(again.parent).toBe(latest);
    expect(await repodata(store, 'tested', again.snapshot)).toEqual(await repodata(store, 'exp', second));
  });

  it('a promote and a sync of the target serialise on its lock: one waiting too long fails E_LOCKED, nothing lost', async () => {
    const store = await copy();
    const pauseFile = join(dir, `paused-${n}`);
    const sync = runChild('sync', { store, repo: 'tested', from: [srcC, join(dir, 'a')], mode: 'additive' }, { OVIRT_REPO_TEST_PAUSE_AT: 'after-lock', OVIRT_REPO_TEST_PAUSE_FILE: pauseFile });
    await waitForFile(pauseFile);
    const s = await openStore(store);
    await expect(promoteSnapshot(s, 'exp', second, 'tested', { lockTimeoutMs: 300 })).rejects.toMatchObject({ code: 'E_LOCKED' });
    sync.child.kill('SIGKILL');
    await sync.done;
    const promoted = await promoteSnapshot(s, 'exp', second, 'tested', { lockTimeoutMs: 10_000 });
    const synced = await syncRepo({ store, repo: 'tested', from: [srcC], mode: 'additive' });
    // The sync built on the promoted snapshot: both changes are in the latest.
    expect((await record(store, 'tested', synced.snapshot!)).parent).toBe(promoted.snapshot);
    expect((await record(store, 'tested', synced.snapshot!)).packages.map((p) => p.name).sort()).toEqual(['alpha', 'beta', 'gamma']);
  });
});
