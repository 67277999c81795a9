import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { silentLogger } from '@ovirt-repo/core';
import { makeCorpus } from '@ovirt-repo/rpm-writer';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { openStore, syncRepo, verifySnapshot, type SyncResult } from '../src/index.js';
import { makeRepo, pkg } from './helpers/fixtures.js';
import { expectLatestVerifies } from './helpers/store-checks.js';

const run = promisify(execFile);
const CORPUS = 900;

/*
 * Snapshots write gz metadata in chunks of packages and copy the chunks the previous snapshot shares
 * (core's chunk-index.ts). These runs need a repo large enough for several chunks, and check the result
 * with the real dnf.
 */
describeWithTools(['createrepo_c', 'dnf'], 'snapshot metadata in chunks', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: string;
  let first: SyncResult;
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    store = join(dir, 'store');
    await makeCorpus(CORPUS, join(dir, 'upstream'));
    await run('createrepo_c', ['--quiet', join(dir, 'upstream')]);
    first = await syncRepo({ store, repo: 'exp', from: [join(dir, 'upstream')], mode: 'additive' });
  }, 120_000);
  afterAll(() => cleanup());

  const snapshotDir = (r: SyncResult) => join(store, 'yum', 'exp', r.snapshot!);
  const primaryOf = async (r: SyncResult) => {
    const repodata = join(snapshotDir(r), 'repodata');
    return gunzipSync(await readFile(join(repodata, (await readdir(repodata)).find((n) => n.endsWith('-primary.xml.gz'))!))).toString();
  };
  /** The chunk layout the snapshot's record holds: per file, and per chunk its count and [offset, size, openSize] per file. */
  const layoutOf = async (r: SyncResult) => {
    const head = JSON.parse(`${(await readFile(join(snapshotDir(r), 'snapshot.json'), 'utf8')).split('\n')[0]}]}`);
    const metadata = head.metadata as { files: Record<string, { href: string }>; chunks: Array<[number, [number, number, number], [number, number, number], [number, number, number]]> };
    const at = { primary: 1, filelists: 2, other: 3 } as const;
    return { files: metadata.files, chunks: metadata.chunks.map((c) => ({ count: c[0], span: (type: keyof typeof at) => c[at[type]] })) };
  };
  const dnfQuery = (r: SyncResult, ...args: string[]) =>
    run('dnf', ['-q', '--setopt=reposdir=/dev/null', '--disableplugin=*', `--setopt=cachedir=${join(dir, `cache-${r.snapshot}-${args.length}`)}`, '--nogpgcheck', `--repofrompath=snap,file://${snapshotDir(r)}`, '--repo', 'snap', 'repoquery', ...args], { maxBuffer: 64 << 20 });

  it('records the chunk layout in the first snapshot\'s record, none of it reused', async () => {
    expect(first.metadataChunks!.total).toBeGreaterThan(1);
    expect(first.metadataChunks!.reused).toBe(0);
    const layout = await layoutOf(first);
    expect(layout.chunks).toHaveLength(first.metadataChunks!.total);
    expect(layout.chunks.reduce((n, c) => n + c.count, 0)).toBe(CORPUS);
    expect(await readdir(snapshotDir(first))).not.toContain('metadata-chunks.json');
  });

  it('copies the unchanged chunks into the next snapshot, which dnf reads whole', async () => {
    const build = await makeRepo(join(dir, 'build-1'), [pkg('added-by-build', '1.0', '1', 'noarch')]);
    const next = await syncRepo({ store, repo: 'exp', from: [build], mode: 'additive' });
    expect(next).toMatchObject({ changed: true, packages: CORPUS + 1, added: 1 });
    const { total, reused } = next.metadataChunks!;
    expect(reused).toBeGreaterThanOrEqual(total - 2);
    expect(reused).toBeGreaterThan(0);
    const { stdout } = await dnfQuery(next, '--qf', '%{name}\n');
    const names = stdout.split('\n').filter(Boolean);
    expect(names).toHaveLength(CORPUS + 1);
    expect(names).toContain('added-by-build');
    // File lists come through reused chunks too: every package's files are there.
    const files = await dnfQuery(next, '-l', 'added-by-build');
    expect(files.stdout).toContain('/usr/share/added-by-build/README');
    const some = names.find((n) => n !== 'added-by-build')!;
    expect((await dnfQuery(next, '-l', some)).stdout.trim().length).toBeGreaterThan(0);
    await expectLatestVerifies(store, 'exp');
  });

  it('hashes the content of the copied chunks for repomd.xml, as clients check it', async () => {
    const build = await makeRepo(join(dir, 'build-hashed'), [pkg('added-hashed', '1.0', '1', 'noarch')]);
    const next = await syncRepo({ store, repo: 'exp', from: [build], mode: 'additive' });
    expect(next).toMatchObject({ changed: true, packages: CORPUS + 2, added: 1 });
    expect(next.metadataChunks!.reused).toBeGreaterThanOrEqual(next.metadataChunks!.total - 2);
    // repomd's open checksums are those of what the files decompress to (snapshot verify checks them,
    // and so does dnf's librepo when it opens the files).
    await expectLatestVerifies(store, 'exp');
    const repodata = join(snapshotDir(next), 'repodata');
    const repomd = await readFile(join(repodata, 'repomd.xml'), 'utf8');
    for (const name of (await readdir(repodata)).filter((n) => n.endsWith('.xml.gz'))) {
      const content = gunzipSync(await readFile(join(repodata, name)));
      expect(repomd).toContain(`<open-checksum type="sha256">${createHash('sha256').update(content).digest('hex')}</open-checksum>`);
      expect(repomd).toContain(`<open-size>${content.length}</open-size>`);
    }
    const { stdout } = await dnfQuery(next, '--qf', '%{name}\n');
    expect(stdout.split('\n').filter(Boolean)).toHaveLength(CORPUS + 2);
  });

  it('writes a damaged chunk layout off with a warning and rebuilds the metadata from the files', async () => {
    const latest = (await readFile(join(store, 'yum', 'exp', 'latest.txt'), 'utf8')).trim();
    const path = join(store, 'yum', 'exp', latest, 'snapshot.json');
    // The first chunk said to hold one package more, the second one less: the same total.
    const [headLine, ...rest] = (await readFile(path, 'utf8')).split('\n');
    const head = JSON.parse(`${headLine}]}`);
    head.metadata.chunks[0][0] += 1;
    head.metadata.chunks[1][0] -= 1;
    await writeFile(path, [JSON.stringify(head).slice(0, -2), ...rest].join('\n'));
    // snapshot verify reports it: harmless to clients, but damage all the same.
    await expect(verifySnapshot(await openStore(store), 'exp', latest)).rejects.toMatchObject({
      code: 'E_VERIFY_FAILED',
      message: expect.stringContaining('snapshot.json: its metadata layout does not match the metadata (the next sync reads the files whole instead)'),
    });
    const warnings: string[] = [];
    const build = await makeRepo(join(dir, 'build-2'), [pkg('second-build', '1.0', '1', 'noarch')]);
    const next = await syncRepo({ store, repo: 'exp', from: [build], mode: 'additive', logger: { ...silentLogger, warn: (m: string) => void warnings.push(m) } });
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`^not reusing the metadata chunks of snapshot ${latest} \\(its files are read whole instead\\): chunk 0 of its layout does not end where content-defined chunking ends one$`))]);
    expect(next.metadataChunks!.reused).toBe(0);
    expect((await primaryOf(next)).split('<package type="rpm">').length - 1).toBe(CORPUS + 3);
    const { stdout } = await dnfQuery(next, '--qf', '%{name}\n');
    expect(stdout.split('\n').filter(Boolean)).toHaveLength(CORPUS + 3);
    await expectLatestVerifies(store, 'exp');
    // The new snapshot has a good layout again: the one after it reuses chunks.
    const build3 = await makeRepo(join(dir, 'build-3'), [pkg('third-build', '1.0', '1', 'noarch')]);
    const after = await syncRepo({ store, repo: 'exp', from: [build3], mode: 'additive' });
    expect(after.metadataChunks!.reused).toBeGreaterThan(0);
  });

  it('writes xz metadata whole, from chunks of the previous snapshot, and gz in chunks again after it', async () => {
    const b4 = await makeRepo(join(dir, 'build-4'), [pkg('fourth-build', '1.0', '1', 'noarch')]);
    const xz = await syncRepo({ store, repo: 'exp', from: [b4], mode: 'additive', compression: 'xz' });
    expect(xz.metadataChunks).toBeUndefined();
    // One chunk spanning each whole file: nothing of it can be copied into a gz file.
    const xzLayout = await layoutOf(xz);
    expect(xzLayout.chunks).toEqual([{ count: CORPUS + 5, span: expect.any(Function) }]);
    expect(xzLayout.chunks[0]!.span('primary')[0]).toBe(0);
    expect((await readdir(join(snapshotDir(xz), 'repodata'))).filter((n) => n.endsWith('.xml.xz'))).toHaveLength(3);
    const { stdout } = await dnfQuery(xz, '--qf', '%{name}\n');
    expect(stdout.split('\n').filter(Boolean)).toHaveLength(CORPUS + 5);
    const b5 = await makeRepo(join(dir, 'build-5'), [pkg('fifth-build', '1.0', '1', 'noarch')]);
    const gz = await syncRepo({ store, repo: 'exp', from: [b5], mode: 'additive' });
    expect(gz.metadataChunks).toMatchObject({ reused: 0 });
    expect(gz.metadataChunks!.total).toBeGreaterThan(1);
    expect((await primaryOf(gz)).split('<package type="rpm">').length - 1).toBe(CORPUS + 6);
    await expectLatestVerifies(store, 'exp');
  });

  /** sha256 of every gzip member of the snapshot's three files (header, chunks, footer): the cache's names. */
  async function memberNames(r: SyncResult): Promise<Map<string, Buffer>> {
    const layout = await layoutOf(r);
    const names = new Map<string, Buffer>();
    for (const type of ['primary', 'filelists', 'other'] as const) {
      const bytes = await readFile(join(snapshotDir(r), layout.files[type]!.href));
      const spans = layout.chunks.map((c) => c.span(type));
      const cuts = [0, ...spans.flatMap(([o, s]) => [o, o + s]), bytes.length];
      for (let i = 0; i + 1 < cuts.length; i++) {
        const member = bytes.subarray(cuts[i], cuts[i + 1]);
        if (member.length > 0) names.set(createHash('sha256').update(member).digest('hex'), gunzipSync(member));
      }
    }
    return names;
  }

  it('keeps the latest snapshot decompressed in the repo cache, which damage there cannot mislead', async () => {
    const cacheDir = join(store, 'cache', 'exp', 'metadata');
    // A sync leaves its snapshot's members in the cache.
    const filling = await syncRepo({ store, repo: 'exp', from: [await makeRepo(join(dir, 'build-filling'), [pkg('added-filling', '1.0', '1', 'noarch')])], mode: 'additive' });
    const before = (await readdir(cacheDir)).sort();
    expect(before).toEqual([...(await memberNames(filling)).keys()].sort());
    expect(before.length).toBeGreaterThan(3);
    // Damage the entry of a chunk the next sync copies (one in the middle), keeping its size; cut another
    // such entry short.
    const layout = await layoutOf(filling);
    const middle = layout.chunks[Math.floor(layout.chunks.length / 2)]!;
    const entryOf = async (type: 'primary' | 'other') => {
      const [offset, size] = middle.span(type);
      const file = await readFile(join(snapshotDir(filling), layout.files[type]!.href));
      return createHash('sha256').update(file.subarray(offset, offset + size)).digest('hex');
    };
    const [damaged, cut] = [await entryOf('primary'), await entryOf('other')];
    expect(before).toEqual(expect.arrayContaining([damaged, cut]));
    const original = await readFile(join(cacheDir, damaged));
    await writeFile(join(cacheDir, damaged), Buffer.from(original.toString('latin1').replace(/[a-z]/, 'Z'), 'latin1'));
    await writeFile(join(cacheDir, cut), (await readFile(join(cacheDir, cut))).subarray(0, 10));

    const build = await makeRepo(join(dir, 'build-cached'), [pkg('added-cached', '1.0', '1', 'noarch')]);
    const next = await syncRepo({ store, repo: 'exp', from: [build], mode: 'additive' });
    // The open checksums are right all the same (verify decompresses every file and checks them).
    await expectLatestVerifies(store, 'exp');
    // The cache now holds exactly the new snapshot's members, each its member's content.
    const names = await memberNames(next);
    const after = (await readdir(cacheDir)).sort();
    expect(after).toEqual([...names.keys()].sort());
    for (const name of after) expect((await readFile(join(cacheDir, name))).equals(names.get(name)!)).toBe(true);
  });

  it('may be deleted: the next sync rebuilds it', async () => {
    const { rm } = await import('node:fs/promises');
    await rm(join(store, 'cache'), { recursive: true });
    const build = await makeRepo(join(dir, 'build-uncached'), [pkg('added-uncached', '1.0', '1', 'noarch')]);
    const next = await syncRepo({ store, repo: 'exp', from: [build], mode: 'additive' });
    await expectLatestVerifies(store, 'exp');
    expect((await readdir(join(store, 'cache', 'exp', 'metadata'))).sort()).toEqual([...(await memberNames(next)).keys()].sort());
  });
});
