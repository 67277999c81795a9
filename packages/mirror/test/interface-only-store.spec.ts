import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StagedWriteCapable, Store } from '@ovirt-repo/core';
import type { RpmSpec } from '@ovirt-repo/rpm-writer';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { readLatest, syncRepo, verifySnapshot, type SyncOptions, type SyncResult } from '../src/index.js';
import { makeRepo, pkg } from './helpers/fixtures.js';
import { interfaceOnlyStore } from './helpers/interface-only-store.js';

/*
 * The sync pipeline needs nothing of a store but the Store interface and staged writes: the pipeline
 * specs' cases run on a directory store restricted to those (no symlink, no local paths, no deferred
 * creates, as an object store), and what it writes is what a directory store gets, but the pool link.
 */

/** Every file below `root`, by relative path: its bytes' digest (a link: its target). */
async function filesOf(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (rel: string) => {
    for (const name of await readdir(join(root, rel))) {
      const path = join(root, rel, name);
      const st = await lstat(path);
      if (st.isSymbolicLink()) out[join(rel, name)] = `-> ${await readlink(path)}`;
      else if (st.isDirectory()) await walk(join(rel, name));
      else out[join(rel, name)] = createHash('sha256').update(await readFile(path)).digest('hex');
    }
  };
  await walk('');
  return out;
}

const exists = (path: string) => lstat(path).then(
  () => true,
  () => false,
);

describeWithTools(['createrepo_c'], 'a sync through a store with only the base Store methods and staged writes', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const saved = { epoch: process.env.SOURCE_DATE_EPOCH, xdg: process.env.XDG_CACHE_HOME };
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    // Metadata timestamps fixed: stores given the same input must write the same bytes.
    process.env.SOURCE_DATE_EPOCH = '1700000000';
  });
  afterAll(async () => {
    for (const [name, value] of [['SOURCE_DATE_EPOCH', saved.epoch], ['XDG_CACHE_HOME', saved.xdg]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await cleanup();
  });

  /** This host's cache directory for the interface-only stores of `name` (XDG_CACHE_HOME set per sync). */
  const hostCache = (name: string) => join(dir, `xdg-${name}`);

  /** A sync into `store` with this host's cache for it under hostCache(`cacheName`). */
  async function syncInto(store: string | Store, cacheName: string, options: Omit<SyncOptions, 'store'>): Promise<SyncResult> {
    process.env.XDG_CACHE_HOME = hostCache(cacheName);
    return syncRepo({ store, ...options });
  }

  /** The snapshot `id` of `repo` in the directory `root`, every file of it but the pool link, and that link apart. */
  async function snapshotFiles(root: string, repo: string, id: string) {
    const { pool, ...files } = await filesOf(join(root, 'yum', repo, id));
    return { pool, files };
  }

  it('additive: a fresh sync and deploys write what a directory store gets but the pool link, copy metadata chunks, keep the metadata cache on this host (removed or not: the same bytes), and verify', async () => {
    // Enough packages for a few metadata chunks (about one package in 256 ends one).
    const base: RpmSpec[] = Array.from({ length: 600 }, (_, i) => pkg(`p-${String(i).padStart(4, '0')}`, '1', '1', i % 5 === 0 ? 'x86_64' : 'noarch'));
    const deploys: RpmSpec[][] = [base, [pkg('new-one', '1')], [pkg('p-0007', '2')], [pkg('p-0301', '1', '1', 'noarch', { description: 'rebuilt' }), pkg('new-two', '3')]];
    const plain = join(dir, 'a-plain');
    const cached = await interfaceOnlyStore(join(dir, 'a-cached'));
    const uncached = await interfaceOnlyStore(join(dir, 'a-uncached'));
    const reused: number[] = [];
    for (const [step, specs] of deploys.entries()) {
      const source = await makeRepo(join(dir, `a-deploy-${step}`), specs);
      const options = { repo: 'exp', from: [source], mode: 'additive' as const, now: Date.UTC(2026, 11, 1) + step * 60_000, baseUrl: 'http://repo.example' };
      const p = await syncInto(plain, 'plain', options);
      const a = await syncInto(cached, 'cached', options);
      await rm(hostCache('uncached'), { recursive: true, force: true });
      const b = await syncInto(uncached, 'uncached', options);
      expect(p).toMatchObject({ changed: true, packages: 600 + [0, 1, 1, 2][step]! });
      for (const r of [a, b]) expect(r).toMatchObject({ changed: true, snapshot: p.snapshot, packages: p.packages, added: p.added, removed: p.removed });
      const expected = await snapshotFiles(plain, 'exp', p.snapshot!);
      expect(expected.pool).toBe('-> ../../../pool');
      for (const root of [join(dir, 'a-cached'), join(dir, 'a-uncached')]) expect(await snapshotFiles(root, 'exp', p.snapshot!)).toEqual({ pool: undefined, files: expected.files });
      await verifySnapshot(cached, 'exp', a.snapshot!);
      await verifySnapshot(uncached, 'exp', b.snapshot!);
      reused.push(a.metadataChunks!.reused);
      expect(b.metadataChunks).toEqual(a.metadataChunks);
      // The metadata cache is on this host, none in the store; the work area is gone.
      const [digestDir, ...others] = await readdir(join(hostCache('cached'), 'ovirt-repo'));
      expect(others).toEqual([]);
      expect((await readdir(join(hostCache('cached'), 'ovirt-repo', digestDir!, 'exp', 'metadata'))).length).toBeGreaterThan(0);
      expect(await exists(join(hostCache('cached'), 'ovirt-repo', digestDir!, 'exp', 'work'))).toBe(false);
      expect(await exists(join(dir, 'a-cached', 'cache', 'exp', 'metadata'))).toBe(false);
    }
    expect(reused[0]).toBe(0);
    expect(reused.slice(1).every((n) => n > 0)).toBe(true);
  }, 300_000);

  it('mirror: a package removed upstream leaves the next snapshot, as in a directory store', async () => {
    const plain = join(dir, 'm-plain');
    const store = await interfaceOnlyStore(join(dir, 'm-store'));
    const upstream = join(dir, 'm-upstream');
    for (const [step, names] of [['alpha', 'beta', 'gamma'], ['alpha', 'gamma']].entries()) {
      await rm(upstream, { recursive: true, force: true });
      await makeRepo(upstream, names.map((n) => pkg(n)));
      const options = { repo: 'up', from: [upstream], now: Date.UTC(2026, 11, 1) + step * 60_000, baseUrl: 'http://repo.example' };
      const p = await syncInto(plain, 'm-plain', options);
      const r = await syncInto(store, 'm-store', options);
      expect(r).toMatchObject({ changed: true, snapshot: p.snapshot, packages: names.length, removed: step });
      expect((await snapshotFiles(join(dir, 'm-store'), 'up', r.snapshot!)).files).toEqual((await snapshotFiles(plain, 'up', p.snapshot!)).files);
      await verifySnapshot(store, 'up', r.snapshot!);
    }
  }, 120_000);

  it('--check-pool fetches a damaged pool file again, checks through the store a package only the latest snapshot has, and names one it cannot restore', async () => {
    const root = join(dir, 'c-store');
    const store = await interfaceOnlyStore(root);
    const first = await makeRepo(join(dir, 'c-first'), [pkg('alpha')]);
    const second = await makeRepo(join(dir, 'c-second'), [pkg('beta')]);
    const options = { repo: 'dep', mode: 'additive' as const, baseUrl: 'http://repo.example' };
    await syncInto(store, 'c', { ...options, from: [first] });
    const deployed = await syncInto(store, 'c', { ...options, from: [second] });
    const hrefOf = async (name: string) => {
      const record = await readFile(join(root, 'yum', 'dep', deployed.snapshot!, 'snapshot.json'), 'utf8');
      return new RegExp(`"href":"(pool/[^"]*/${name}-[^"]*\\.rpm)"`).exec(record)![1]!;
    };
    await writeFile(join(root, await hrefOf('beta')), 'damaged');

    // beta comes from the source again; alpha, which only the latest snapshot has, is checked in the pool.
    const repaired = await syncInto(store, 'c', { ...options, from: [second], checkPool: true });
    expect(repaired).toMatchObject({ changed: false, snapshot: deployed.snapshot, downloaded: { count: 1 } });
    await verifySnapshot(store, 'dep', deployed.snapshot!);

    const alpha = await hrefOf('alpha');
    await rm(join(root, alpha));
    await expect(syncInto(store, 'c', { ...options, from: [second], checkPool: true })).rejects.toMatchObject({
      code: 'E_STORE',
      message: expect.stringContaining(`references ${alpha}, which the pool lacks`),
    });
  }, 120_000);

  it('a write that fails while the snapshot is staged leaves latest as it was and nothing of the new snapshot; the next sync goes on', async () => {
    const root = join(dir, 'f-store');
    let failing = false;
    const store = await interfaceOnlyStore(root, { failWrite: (key) => failing && key === 'snapshot.json' });
    const options = { repo: 'fail', mode: 'additive' as const, baseUrl: 'http://repo.example' };
    const first = await syncInto(store, 'f', { ...options, from: [await makeRepo(join(dir, 'f-1'), [pkg('alpha')])] });
    const source = await makeRepo(join(dir, 'f-2'), [pkg('beta')]);
    const before = (await readdir(join(root, 'yum', 'fail'))).sort();

    failing = true;
    await expect(syncInto(store, 'f', { ...options, from: [source] })).rejects.toThrow('injected failure writing snapshot.json');
    expect(await readLatest(store, 'fail')).toBe(first.snapshot);
    expect((await readdir(join(root, 'yum', 'fail'))).sort()).toEqual(before);

    failing = false;
    const next = await syncInto(store, 'f', { ...options, from: [source] });
    expect(next).toMatchObject({ changed: true, previous: first.snapshot, packages: 2 });
    expect(await readLatest(store, 'fail')).toBe(next.snapshot);
    await verifySnapshot(store, 'fail', next.snapshot!);
  }, 120_000);
});

describe('a sync into a store that cannot stage a snapshot', () => {
  it('is refused with E_STORE before anything is read or written', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const { stage: _stage, ...readOnly } = await interfaceOnlyStore(join(dir, 's'));
      const before = await filesOf(join(dir, 's'));
      const error = await syncRepo({ store: readOnly, repo: 'r', from: [join(dir, 'no-such-source')] }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'E_STORE', message: expect.stringContaining('cannot stage a snapshot') as unknown, hint: expect.stringContaining('a directory, s3://') as unknown });
      expect(await filesOf(join(dir, 's'))).toEqual(before);
    } finally {
      await cleanup();
    }
  });
});

// The helper itself: it must not offer what the pipeline is to do without.
describe('the interface-only store helper', () => {
  it('offers neither links, nor local paths, nor deferred creates, nor links in its staged writes', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const store: Store & StagedWriteCapable = await interfaceOnlyStore(join(dir, 's'));
      for (const name of ['symlink', 'localPath', 'prepare', 'flush']) expect(name in store).toBe(false);
      const staged = await store.stage('yum/r/x');
      expect(['symlink', 'localDir'].filter((name) => name in staged)).toEqual([]);
      await staged.discard();
    } finally {
      await cleanup();
    }
  });
});
