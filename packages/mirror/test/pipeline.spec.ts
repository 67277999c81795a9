import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, lstat, mkdir, readFile, readdir, readlink, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildRpm, writeRpm } from '@ovirt-repo/rpm-writer';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { openStore, syncRepo, verifySnapshot, type SyncOptions, type SyncResult } from '../src/index.js';
import { pluginRoot } from './helpers/built.js';
import { pkg } from './helpers/fixtures.js';

const run = promisify(execFile);

/*
 * The one sync pipeline against expectations worked out here, independently of its code: a seeded series of
 * deploys and upstream changes, in additive and mirror mode, with rebuilds of one NEVRA, removals upstream,
 * filters, --newest-only and --keep-versions changing between syncs. After each sync, what the real dnf
 * sees in the new snapshot must be what the test expects, and `snapshot verify` must pass.
 */

/** One build of a package. Versions are whole numbers, so the expected order is plain arithmetic. */
interface Build {
  name: string;
  version: number;
  arch: 'noarch' | 'x86_64';
  /** Another build of one NEVRA is another file. */
  build: number;
}

const specOf = (b: Build) => pkg(b.name, String(b.version), '1', b.arch, { description: `build ${b.build}` });
const digestOf = (b: Build) => createHash('sha256').update(buildRpm(specOf(b))).digest('hex');
const nevra = (b: Build) => `${b.name}-${b.version}.${b.arch}`;
const key = (b: Build) => `${b.name}.${b.arch}`;

/** What dnf should list of these builds: one line each, as `dnfSees` prints them. */
const listed = (builds: readonly Build[]) => builds.map((b) => `${b.name} ${b.version}-1 ${b.arch} ${digestOf(b)}`).sort();

/** A YUM repo of these builds (each in a directory of its own: two builds of one NEVRA share a file name). */
async function repoOf(dir: string, builds: readonly Build[]): Promise<string> {
  await rm(dir, { recursive: true, force: true });
  for (const b of builds) await writeRpm(specOf(b), join(dir, 'Packages', `b${b.build}`));
  await mkdir(dir, { recursive: true });
  await run('createrepo_c', ['--quiet', '--no-database', dir]);
  return dir;
}

/** Selection options, as the test models them. */
interface Options {
  keepVersions?: number;
  newestOnly?: boolean;
  /** Excludes the `skip-*` packages. */
  skip?: boolean;
}

const syncOptionsOf = (o: Options): Partial<SyncOptions> => ({
  ...(o.keepVersions !== undefined ? { keepVersions: o.keepVersions } : {}),
  ...(o.newestOnly ? { newestOnly: true } : {}),
  ...(o.skip ? { exclude: ['skip-*'] } : {}),
});

/** The newest `n` versions of each name.arch, with every build of them. */
function newest(builds: readonly Build[], n: number): Build[] {
  const versions = new Map<string, number[]>();
  for (const b of builds) versions.set(key(b), [...new Set([...(versions.get(key(b)) ?? []), b.version])].sort((x, y) => y - x));
  return builds.filter((b) => (versions.get(key(b)) ?? []).indexOf(b.version) < n);
}

/** What comes in from a source: filters, and --newest-only, applied. */
const incoming = (builds: readonly Build[], o: Options) => {
  const kept = builds.filter((b) => !(o.skip && b.name.startsWith('skip-')));
  return o.newestOnly ? newest(kept, 1) : kept;
};

/** Mirror mode: exactly what comes in (keep-versions applied when set). */
const mirrored = (upstream: readonly Build[], o: Options) => newest(incoming(upstream, o), o.keepVersions ?? Infinity);

/** Additive mode: the builds that come in replace the builds of their NEVRA, then keep-versions (default 1). */
function added(before: readonly Build[], deployed: readonly Build[], o: Options): Build[] {
  const fresh = incoming(deployed, o);
  const replaced = new Set(fresh.map(nevra));
  return newest([...before.filter((b) => !replaced.has(nevra(b))), ...fresh], o.keepVersions ?? 1);
}

/** A small seeded generator, so that a failure can be reproduced. */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

describeWithTools(['createrepo_c', 'dnf'], 'one sync pipeline, a seeded series of syncs', () => {
  // Enough packages for a few metadata chunks (about one package in 256 ends one), so that syncs have
  // chunks to copy; each test checks it has them.
  const BASE = 600;
  let dir: string;
  let cleanup: () => Promise<void>;
  const savedEpoch = process.env.SOURCE_DATE_EPOCH;
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    // Metadata timestamps fixed: two stores given the same input must write the same bytes.
    process.env.SOURCE_DATE_EPOCH = '1700000000';
  });
  afterAll(async () => {
    if (savedEpoch === undefined) delete process.env.SOURCE_DATE_EPOCH;
    else process.env.SOURCE_DATE_EPOCH = savedEpoch;
    await cleanup();
  });

  let nextBuild = 0;
  const build = (name: string, version: number, arch: Build['arch'] = 'noarch'): Build => ({ name, version, arch, build: ++nextBuild });
  const base = (prefix: string) => Array.from({ length: BASE }, (_, i) => build(`${prefix}-${String(i).padStart(4, '0')}`, 1, i % 5 === 0 ? 'x86_64' : 'noarch'));

  /** What dnf sees in a snapshot: name, EVR, arch and the package's checksum (from its pool href), a line each. */
  async function dnfSees(store: string, repo: string, r: SyncResult): Promise<string[]> {
    const snap = join(store, 'yum', repo, r.snapshot!);
    const { stdout } = await run(
      'dnf',
      ['-q', '--setopt=reposdir=/dev/null', '--disableplugin=*', `--setopt=cachedir=${join(dir, 'dnf-cache', r.snapshot!)}`, '--nogpgcheck', `--repofrompath=snap,file://${snap}`, '--repo', 'snap', 'repoquery', '--qf', '%{name} %{evr} %{arch} %{location}'],
      { maxBuffer: 64 << 20 },
    );
    return stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [name, evr, arch, location] = line.split(' ');
        return `${name} ${evr} ${arch} ${location!.split('/')[2]}`;
      })
      .sort();
  }

  async function expectSnapshot(store: string, repo: string, r: SyncResult, expected: readonly Build[]): Promise<void> {
    expect(r.packages).toBe(expected.length);
    expect(await dnfSees(store, repo, r)).toEqual(listed(expected));
    await verifySnapshot(await openStore(store), repo, r.snapshot!);
  }

  /** Every file of a snapshot directory, by relative path: its bytes (a link: its target). */
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

  it('mirror mode: each snapshot is what the filtered upstream holds', async () => {
    const next = random(16);
    const store = join(dir, 'store-mirror');
    let upstream = base('m');
    const chunksCopied: number[] = [];
    const steps: Options[] = [{}, {}, {}, { skip: true }, { skip: true, keepVersions: 1 }, { newestOnly: true }, {}, {}];
    let holds: Build[] = [];
    let chunks = 0;
    for (const [step, options] of steps.entries()) {
      if (step > 0) {
        const pick = () => upstream[Math.floor(next() * upstream.length)]!;
        const changes = 1 + Math.floor(next() * 4);
        for (let i = 0; i < changes; i++) {
          const what = next();
          const p = pick();
          if (what < 0.2) upstream.push(build(`${next() < 0.3 ? 'skip' : 'new'}-${step}-${i}`, 1, next() < 0.5 ? 'noarch' : 'x86_64'));
          else if (what < 0.4) upstream = upstream.filter((b) => b !== p);
          // An upgrade, the older version kept upstream or not.
          else if (what < 0.6) {
            const keepOld = next() < 0.5;
            upstream = [...upstream.filter((b) => keepOld || b !== p), build(p.name, p.version + 1, p.arch)];
          }
          // A rebuild of one NEVRA replacing the file, or a second build beside it.
          else if (what < 0.8) upstream = [...upstream.filter((b) => b !== p), build(p.name, p.version, p.arch)];
          else upstream.push(build(p.name, p.version, p.arch));
        }
      }
      const source = await repoOf(join(dir, 'upstream'), upstream);
      const r = await syncRepo({ store, repo: 'mirror', from: [source], ...syncOptionsOf(options) });
      const expected = mirrored(upstream, options);
      const same = listed(expected).join() === listed(holds).join();
      expect(r.changed).toBe(!same);
      if (!same) {
        await expectSnapshot(store, 'mirror', r, expected);
        chunksCopied.push(r.metadataChunks!.reused);
        chunks = Math.max(chunks, r.metadataChunks!.total);
      }
      holds = expected;
    }
    // The syncs after the first copied the chunks no change touched.
    expect(chunks).toBeGreaterThan(2);
    expect(chunksCopied[0]).toBe(0);
    expect(chunksCopied.filter((n) => n > 0).length).toBeGreaterThan(2);
  }, 300_000);

  it('additive mode: each deploy enters its groups as expected; a store whose cache is removed before every sync writes the same bytes', async () => {
    const next = random(61);
    const stores = { cached: join(dir, 'store-cached'), uncached: join(dir, 'store-uncached') };
    let holds: Build[] = [];
    const deployed: Build[][] = [];
    const steps: Options[] = [{}, {}, {}, { keepVersions: 2 }, { keepVersions: 2 }, { keepVersions: 2 }, {}, { skip: true }, { newestOnly: true }, {}, {}];
    const chunksCopied: number[] = [];
    let chunks = 0;
    for (const [step, options] of steps.entries()) {
      let builds: Build[];
      if (step === 0) builds = base('a');
      else if (step === 9) builds = deployed[3]!; // the very same files again
      else {
        builds = [];
        const count = 1 + Math.floor(next() * 4);
        for (let i = 0; i < count; i++) {
          const what = next();
          const p = holds[Math.floor(next() * holds.length)]!;
          if (what < 0.25) builds.push(build(`${next() < 0.3 ? 'skip' : 'new'}-${step}-${i}`, 1 + Math.floor(next() * 3)));
          else if (what < 0.5) builds.push(build(p.name, p.version + 1, p.arch));
          else if (what < 0.65) builds.push(build(p.name, Math.max(0, p.version - 1), p.arch));
          // A rebuild of one NEVRA (it replaces every build of it), or two builds of one NEVRA at once.
          else if (what < 0.85) builds.push(build(p.name, p.version, p.arch));
          else builds.push(build(p.name, p.version + 2, p.arch), build(p.name, p.version + 2, p.arch));
        }
      }
      deployed.push(builds);
      const expected = added(holds, builds, options);
      const source = await repoOf(join(dir, `deploy-${step}`), builds);
      const now = Date.UTC(2026, 11, 1) + step * 60_000;
      await rm(join(stores.uncached, 'cache'), { recursive: true, force: true });
      const [a, b] = await Promise.all(Object.values(stores).map((store) => syncRepo({ store, repo: 'exp', from: [source], mode: 'additive', now, ...syncOptionsOf(options) })));
      const same = listed(expected).join() === listed(holds).join();
      expect(a).toMatchObject({ changed: !same, snapshot: b!.snapshot });
      if (!same) {
        await expectSnapshot(stores.cached, 'exp', a!, expected);
        chunksCopied.push(a!.metadataChunks!.reused);
        chunks = Math.max(chunks, a!.metadataChunks!.total);
        expect(await filesOf(join(stores.uncached, 'yum', 'exp', b!.snapshot!))).toEqual(await filesOf(join(stores.cached, 'yum', 'exp', a!.snapshot!)));
      }
      holds = expected;
    }
    expect(chunks).toBeGreaterThan(2);
    expect(chunksCopied[0]).toBe(0);
    expect(chunksCopied.filter((n) => n > 0).length).toBeGreaterThan(3);
  }, 300_000);
});

/**
 * A store written before this version (packages/mirror/test/fixtures/old-store, made by commit c2ac472):
 * its snapshot records name no metadata layout, their package order is not their metadata's, and a
 * metadata-chunks.json lies beside each. The next sync builds on them.
 */
describeWithTools(['createrepo_c', 'dnf'], 'a store written before records held their metadata layout', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: string;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    store = join(dir, 'store');
    await cp(join(pluginRoot, 'test', 'fixtures', 'old-store'), store, { recursive: true, verbatimSymlinks: true });
  });
  afterEach(() => cleanup());

  const latestOf = async (repo: string) => (await readFile(join(store, 'yum', repo, 'latest.txt'), 'utf8')).trim();
  const recordOf = async (repo: string, id: string) => JSON.parse(await readFile(join(store, 'yum', repo, id, 'snapshot.json'), 'utf8'));
  const dnfNames = async (repo: string, id: string) =>
    (
      await run('dnf', ['-q', '--setopt=reposdir=/dev/null', '--disableplugin=*', `--setopt=cachedir=${join(dir, 'dnf', id)}`, '--nogpgcheck', `--repofrompath=snap,file://${join(store, 'yum', repo, id)}`, '--repo', 'snap', 'repoquery', '--qf', '%{name}-%{version}'])
    ).stdout
      .split('\n')
      .filter(Boolean)
      .sort();

  it('a deploy onto an old additive snapshot keeps its packages, with their metadata, in the new record\'s order', async () => {
    const old = await latestOf('exp');
    expect((await recordOf('exp', old)).metadata).toBeUndefined();
    const source = join(dir, 'build');
    await writeRpm(pkg('beta', '1'), join(source, 'Packages'));
    await run('createrepo_c', ['--quiet', '--no-database', source]);
    const r = await syncRepo({ store, repo: 'exp', from: [source], mode: 'additive', keepVersions: 2 });
    expect(r).toMatchObject({ changed: true, previous: old, added: 1, removed: 0, packages: 4 });
    expect(await dnfNames('exp', r.snapshot!)).toEqual(['alpha-1.10', 'alpha-1.9', 'beta-1', 'zeta-1']);
    const record = await recordOf('exp', r.snapshot!);
    expect(record.packages.map((p: { name: string; version: string }) => `${p.name}-${p.version}`)).toEqual(['alpha-1.9', 'alpha-1.10', 'beta-1', 'zeta-1']);
    expect(record.metadata.chunks.map((c: number[]) => c[0])).toEqual([4]);
    await verifySnapshot(await openStore(store), 'exp', r.snapshot!);
  });

  it('a mirror sync onto an old snapshot takes the entries it keeps from it, even with its packages out of order', async () => {
    const old = await latestOf('mir');
    // The old record's packages in another order still (as a record written by hand might be).
    const path = join(store, 'yum', 'mir', old, 'snapshot.json');
    const text = await readFile(path, 'utf8');
    const record = JSON.parse(text);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path, JSON.stringify({ ...record, packages: [...record.packages].reverse() }));
    // Upstream: the files the old snapshot holds (from its pool), and one more.
    const source = join(dir, 'upstream');
    for (const p of record.packages as Array<{ href: string }>) await cp(join(store, p.href), join(source, 'Packages', p.href.split('/').at(-1)!));
    await writeRpm(pkg('gamma', '3'), join(source, 'Packages'));
    await run('createrepo_c', ['--quiet', '--no-database', source]);
    const r = await syncRepo({ store, repo: 'mir', from: [source] });
    expect(r).toMatchObject({ changed: true, previous: old, added: 1, removed: 0, packages: 4 });
    expect(await dnfNames('mir', r.snapshot!)).toEqual(['aardvark-2', 'beta-1.10', 'beta-1.9', 'gamma-3']);
    expect((await recordOf('mir', r.snapshot!)).packages.map((p: { name: string; version: string }) => `${p.name}-${p.version}`)).toEqual(['aardvark-2', 'beta-1.9', 'beta-1.10', 'gamma-3']);
    await verifySnapshot(await openStore(store), 'mir', r.snapshot!);
  });
});
