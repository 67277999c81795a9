import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { silentLogger } from '@ovirt-repo/core';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { syncRepo, type SyncOptions, type SyncResult } from '../src/index.js';
import { ensurePluginBuilt } from './helpers/built.js';
import { runChild, waitForFile } from './helpers/child.js';
import { UPDATEINFO, makeRepo, pkg } from './helpers/fixtures.js';
import { expectLatestVerifies } from './helpers/store-checks.js';

const BASE = 1500;

/*
 * An additive deploy onto a latest snapshot made with the same options is done from that snapshot's
 * record lines and chunks (incremental-sync.ts). Every step here runs on two stores built alike, one with
 * the incremental pipeline and one without, and their snapshots must say exactly the same.
 */
describeWithTools(['createrepo_c', 'modifyrepo_c'], 'incremental additive sync', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let step = 0;
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    const specs = Array.from({ length: BASE }, (_, i) => pkg(`base-${String(i).padStart(4, '0')}`, '1.0', '1', i % 5 === 0 ? 'x86_64' : 'noarch'));
    await makeRepo(join(dir, 'upstream'), specs);
  }, 180_000);
  afterAll(() => cleanup());

  const store = (incremental: boolean) => join(dir, incremental ? 'incremental' : 'general');
  const infos: string[] = [];
  const sync = (incremental: boolean, from: string, extra: Partial<SyncOptions> = {}) =>
    syncRepo({
      store: store(incremental),
      repo: 'exp',
      from: [from],
      mode: 'additive',
      incremental,
      logger: { ...silentLogger, info: (m: string) => void infos.push(m), debug: (m: string) => void infos.push(m) },
      ...extra,
    });

  /** What a snapshot says, less what differs between any two runs (ids, times, the store's path). */
  async function content(incremental: boolean, r: SyncResult) {
    const snap = join(store(incremental), 'yum', 'exp', r.snapshot!);
    const repodata = join(snap, 'repodata');
    const files: Record<string, string> = {};
    for (const name of (await readdir(repodata)).filter((n) => n.endsWith('.xml.gz'))) files[name.replace(/^[0-9a-f]+-/, '')] = gunzipSync(await readFile(join(repodata, name))).toString();
    const record = JSON.parse(await readFile(join(snap, 'snapshot.json'), 'utf8'));
    const summary = JSON.parse(await readFile(join(snap, 'summary.json'), 'utf8'));
    const chunks = JSON.parse(await readFile(join(snap, 'metadata-chunks.json'), 'utf8'));
    return {
      files,
      packages: record.packages,
      contentDigest: record.contentDigest,
      stats: record.stats,
      extraMetadata: record.extraMetadata,
      changes: summary.changes,
      sample: summary.sample,
      chunkPackages: chunks.chunks.map((c: { packages: number[] }) => c.packages),
      result: { changed: r.changed, added: r.added, removed: r.removed, packages: r.packages, bytes: r.bytes, chunks: [r.metadataChunks?.total, r.metadataChunks?.reused], downloaded: r.downloaded.count },
    };
  }

  async function both(specs: ReturnType<typeof pkg>[], extra: { updateinfo?: string; options?: Partial<SyncOptions> } = {}) {
    const build = await makeRepo(join(dir, `build-${++step}`), specs, extra.updateinfo ? { updateinfo: extra.updateinfo } : {});
    infos.length = 0;
    const fast = await sync(true, build, extra.options);
    const fastInfos = [...infos];
    const general = await sync(false, build, extra.options);
    return { fast, general, fastInfos };
  }

  it('starts both stores from the same upstream', async () => {
    const [a, b] = [await sync(true, join(dir, 'upstream')), await sync(false, join(dir, 'upstream'))];
    expect(await content(true, a)).toEqual(await content(false, b));
    expect(a.packages).toBe(BASE);
  });

  it.each([
    ['adds a new package', [pkg('zz-new-build', '1.0', '1', 'noarch')]],
    ['upgrades one (the older version is dropped) and adds another at the front', [pkg('base-0100', '2.0', '1', 'noarch'), pkg('aaa-first', '1.0', '1', 'noarch')]],
    ['rebuilds a package with the same NEVRA', [pkg('base-0200', '1.0', '1', 'noarch', { description: 'rebuilt' })]],
    ['adds a downgrade, which keeps the newer version, beside a new package', [pkg('base-0100', '1.5', '1', 'noarch'), pkg('zz-second', '1.0', '1', 'noarch')]],
    ['touches several name.arch groups across chunks', [pkg('base-0005', '3.0', '1', 'x86_64'), pkg('base-0750', '1.0', '2', 'noarch'), pkg('base-1499', '9', '1', 'noarch')]],
  ])('%s: the same snapshot either way, made incrementally', async (_what, specs) => {
    const { fast, general, fastInfos } = await both(specs);
    expect(fastInfos.some((m) => m.includes('incrementally'))).toBe(true);
    // The record cache is there from the first sync on (a general one), and after each deploy.
    expect(fastInfos).toContain('exp: record cache: line starts used, sorted hrefs edited');
    expect(fast.changed).toBe(true);
    expect(await content(true, fast)).toEqual(await content(false, general));
    expect(fast.metadataChunks!.reused).toBeGreaterThan(0);
    expect(fast.metadataChunks!.reused).toBeGreaterThanOrEqual(fast.metadataChunks!.total - 4);
    await expectLatestVerifies(store(true), 'exp');
  });

  it('upgrades the package a chunk ends with: the chunk after it is chunked again with the rest, as the general way does', async () => {
    const latest = (await readFile(join(store(true), 'yum', 'exp', 'latest.txt'), 'utf8')).trim();
    const snap = join(store(true), 'yum', 'exp', latest);
    const index = JSON.parse(await readFile(join(snap, 'metadata-chunks.json'), 'utf8'));
    const record = JSON.parse(await readFile(join(snap, 'snapshot.json'), 'utf8'));
    // A chunk in the middle whose packages are in record order: its last package ends it.
    const chunk = index.chunks.find((c: { packages: number[] }, i: number) => i > 0 && c.packages.every((p, j) => p === c.packages[0]! + j) && i < index.chunks.length - 2);
    const last = record.packages[chunk.packages[chunk.packages.length - 1]];
    const { fast, general, fastInfos } = await both([pkg(last.name, '99.0', '1', last.arch)]);
    expect(fastInfos.some((m) => m.includes('incrementally'))).toBe(true);
    expect(fast).toMatchObject({ changed: true, added: 1, removed: 1 });
    expect(await content(true, fast)).toEqual(await content(false, general));
    await expectLatestVerifies(store(true), 'exp');
  });

  it('keeps what the next deploy needs of the record in the cache, and does without it when it is damaged or gone', async () => {
    const recordCache = join(store(true), 'cache', 'exp', 'record');
    const latest = async () => (await readFile(join(store(true), 'yum', 'exp', 'latest.txt'), 'utf8')).trim();
    expect((await readdir(recordCache)).sort()).toEqual([`${await latest()}.sorted`, `${await latest()}.starts`]);
    const used = await both([pkg('with-record-cache', '1.0', '1', 'noarch'), pkg('base-0400', '2.0', '1', 'noarch')]);
    expect(used.fastInfos).toContain('exp: record cache: line starts used, sorted hrefs edited');
    expect(await content(true, used.fast)).toEqual(await content(false, used.general));
    const damage = [
      // A sorted text that is not the snapshot's: its digest does not match, so the hrefs are sorted again.
      async (id: string) => writeFile(join(recordCache, `${id}.sorted`), (await readFile(join(recordCache, `${id}.sorted`), 'utf8')).replace('p pool/', 'p pool/0')),
      // Line starts that do not fit the file: it is scanned.
      async (id: string) => writeFile(join(recordCache, `${id}.starts`), Buffer.from(new Int32Array([0, 5, 9]).buffer)),
      async () => rm(recordCache, { recursive: true }),
    ];
    for (const [i, hurt] of damage.entries()) {
      await hurt(await latest());
      const { fast, general, fastInfos } = await both([pkg(`after-damage-${i}`, '1.0', '1', 'noarch'), pkg('base-0300', `4.${i}`, '1', 'noarch')]);
      expect(fastInfos.some((m) => m.includes('incrementally'))).toBe(true);
      expect(fastInfos).toContain(['exp: record cache: line starts used, hrefs sorted', 'exp: record cache: record scanned, sorted hrefs edited', 'exp: record cache: record scanned, hrefs sorted'][i]);
      expect(await content(true, fast)).toEqual(await content(false, general));
      // And the cache is whole again for the one after.
      expect((await readdir(recordCache)).sort()).toEqual([`${fast.snapshot}.sorted`, `${fast.snapshot}.starts`]);
    }
  });

  it('a deploy killed before publishing leaves the record cache usable (its own entries are written before it publishes)', async () => {
    ensurePluginBuilt();
    const recordCache = join(store(true), 'cache', 'exp', 'record');
    const latest = async () => (await readFile(join(store(true), 'yum', 'exp', 'latest.txt'), 'utf8')).trim();
    const before = await latest();
    const build = await makeRepo(join(dir, `build-${++step}`), [pkg('killed-deploy', '1.0', '1', 'noarch')]);
    const pauseFile = join(dir, 'paused');
    const options = { store: store(true), repo: 'exp', from: [build], mode: 'additive' };
    const run = runChild('sync', options, { OVIRT_REPO_TEST_PAUSE_AT: 'before-rename', OVIRT_REPO_TEST_PAUSE_FILE: pauseFile });
    await waitForFile(pauseFile);
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    await rm(pauseFile);
    expect(await latest()).toBe(before);
    // The unpublished snapshot's entries are there beside the latest's, which stay usable.
    const entries = await readdir(recordCache);
    expect(entries).toEqual(expect.arrayContaining([`${before}.sorted`, `${before}.starts`]));
    expect(entries).toHaveLength(4);

    const { fast, general, fastInfos } = await both([pkg('after-kill', '1.0', '1', 'noarch')], { options: { lockTimeoutMs: 10_000 } });
    expect(fastInfos).toContain('exp: record cache: line starts used, sorted hrefs edited');
    expect(await content(true, fast)).toEqual(await content(false, general));
    // Once a snapshot is published, the cache is its entries only.
    expect((await readdir(recordCache)).sort()).toEqual([`${fast.snapshot}.sorted`, `${fast.snapshot}.starts`]);
    await expectLatestVerifies(store(true), 'exp');
  });

  it('carries extra metadata and notices a deploy that changes nothing', async () => {
    const specs = [pkg('with-advisory', '1.0', '1', 'noarch')];
    const { fast, general } = await both(specs, { updateinfo: UPDATEINFO });
    expect(await content(true, fast)).toEqual(await content(false, general));
    expect(fast.metadataChunks).toBeDefined();
    // The very same build again: its repomd.xml is new (a new createrepo_c run), its packages are not.
    const again = await both(specs, { updateinfo: UPDATEINFO });
    expect(again.fast).toMatchObject({ changed: false, reason: 'same packages and metadata as the latest snapshot' });
    expect(again.general).toMatchObject({ changed: false, reason: 'same packages and metadata as the latest snapshot' });
  });

  it('leaves to the general pipeline what it does not do: other options, xz, --check-pool', async () => {
    for (const options of [{ keepVersions: 2 }, { compression: 'xz' as const }, { checkPool: true }]) {
      const { fast, general, fastInfos } = await both([pkg(`other-${step}`, '1.0', '1', 'noarch')], { options });
      expect(fastInfos.some((m) => m.includes('incrementally'))).toBe(false);
      expect(fast).toMatchObject({ changed: true, added: general.added, packages: general.packages });
    }
    // A deploy with options other than the latest snapshot's is general; the next with the same is not.
    const after = await both([pkg('after-xz', '1.0', '1', 'noarch')], { options: { keepVersions: 2 } });
    expect(after.fastInfos.some((m) => m.includes('incrementally'))).toBe(false);
    const next = await both([pkg('after-xz-2', '1.0', '1', 'noarch')], { options: { keepVersions: 2 } });
    expect(next.fastInfos.some((m) => m.includes('incrementally'))).toBe(true);
    expect(await content(true, next.fast)).toEqual(await content(false, next.general));
  });
});
