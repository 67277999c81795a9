import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCodes } from '@ovirt-repo/core';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { HISTORY_PATH, parseHistory } from '../src/lib/history.js';
import { publish, type PublishOptions } from '../src/lib/publish.js';
import { checkRepo, dnf, makeRepo, namedBy, rpmSpec, serveDirectory, treeDigest } from './helpers/repos.js';
import { startRsyncDaemon, writeFakeSsh, type RsyncDaemon } from './helpers/rsync-daemon.js';

const DAY = 86_400_000;
const t0 = new Date('2030-01-01T00:00:00.000Z');
const at = (days: number) => new Date(t0.getTime() + days * DAY);

describeWithTools(['createrepo_c', 'dnf', 'rpm'], 'publish with history (real createrepo_c sources, real dnf clients)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let v1: string;
  let v2: string;
  let v3: string;
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    v1 = await makeRepo(join(dir, 'src-v1'), [rpmSpec('hello', '1.0'), rpmSpec('tools', '1.0')]);
    v2 = await makeRepo(join(dir, 'src-v2'), [rpmSpec('hello', '2.0'), rpmSpec('tools', '1.0')]);
    v3 = await makeRepo(join(dir, 'src-v3'), [rpmSpec('hello', '3.0'), rpmSpec('tools', '1.0')]);
  });
  afterAll(() => cleanup());
  const run = (o: Partial<PublishOptions> & Pick<PublishOptions, 'to'>) => publish({ env: { ...process.env, SOURCE_DATE_EPOCH: '1893456000' }, ...o });

  it('publishes, keeps history installable, changes nothing on a repeat, and prunes after both windows', async () => {
    const dest = join(dir, 'dest-main');
    const client = dnf(join(dir, 'dnf-main'));
    const url = pathToFileURL(dest).href;

    const first = await run({ from: v1, to: dest, now: at(0) });
    expect(first).toMatchObject({ changed: true, listed: { total: 2, fromSource: 2, fromHistory: 0 }, uploaded: { packages: 2 } });
    expect(first.added.map((p) => p.nevra).sort()).toEqual(['hello-1.0-1.noarch', 'tools-1.0-1.noarch']);
    expect(await checkRepo(dest)).toEqual(['hello-1.0-1.noarch', 'tools-1.0-1.noarch']);
    expect(first.added.every((p) => /^packages\/[0-9a-f]{2}\/[0-9a-f]{64}\/[a-z]+-1\.0-1\.noarch\.rpm$/.test(p.href))).toBe(true);
    // createrepo_c's sqlite files describe the source's package set only: not carried over.
    expect((await readdir(join(dest, 'repodata'))).filter((f) => f.includes('sqlite'))).toEqual([]);
    const repomd1 = await readFile(join(dest, 'repodata', 'repomd.xml'));

    const before = await treeDigest(dest);
    const again = await run({ from: v1, to: dest, now: at(0.5) });
    expect(again).toMatchObject({ changed: false, added: [], removed: [], uploaded: { packages: 0, metadataFiles: 0, bytes: 0 }, pruned: { paths: [] } });
    expect(await treeDigest(dest)).toEqual(before);

    const second = await run({ from: v2, to: dest, now: at(1) });
    expect(second).toMatchObject({ changed: true, listed: { total: 3, fromSource: 2, fromHistory: 1 }, uploaded: { packages: 1 } });
    expect(second.added.map((p) => p.nevra)).toEqual(['hello-2.0-1.noarch']);
    expect(second.kept.map((p) => p.nevra)).toEqual(['hello-1.0-1.noarch']);
    expect(await checkRepo(dest)).toEqual(['hello-1.0-1.noarch', 'hello-2.0-1.noarch', 'tools-1.0-1.noarch']);
    // A client that read the previous repomd.xml can still fetch everything it names.
    for (const href of namedBy(repomd1)) await expect(readFile(join(dest, href))).resolves.toBeDefined();
    // dnf: newest by default, the older build explicitly.
    expect(await client.available(url)).toEqual(['hello-1.0-1.noarch', 'hello-2.0-1.noarch', 'tools-1.0-1.noarch']);
    expect(await client.install(url, 'hello', 'hello')).toBe('hello-2.0-1.noarch');
    expect(await client.install(url, 'hello-1.0-1', 'hello')).toBe('hello-1.0-1.noarch');

    // Day 4: generation 1 was superseded 3 days ago (> --keep-metadata-days 2): its metadata files go;
    // the listing is unchanged (hello-1.0 left the source 3 days ago, < --keep-days 14), so no new repomd.xml.
    const repomd2 = await readFile(join(dest, 'repodata', 'repomd.xml'));
    const third = await run({ from: v2, to: dest, now: at(4) });
    expect(third).toMatchObject({ changed: false, generations: 1 });
    expect(third.pruned.metadataFiles).toBeGreaterThan(0);
    expect(third.pruned.packages).toBe(0);
    expect(await readFile(join(dest, 'repodata', 'repomd.xml'))).toEqual(repomd2);
    for (const href of namedBy(repomd1).filter((h) => !namedBy(repomd2).includes(h))) await expect(readFile(join(dest, href))).rejects.toThrow();
    expect(await checkRepo(dest)).toHaveLength(3);

    // Day 15: hello-1.0 left the source 14 days ago: no longer listed, but its file stays while the
    // previous repomd.xml (which lists it) is inside the metadata window.
    const fourth = await run({ from: v2, to: dest, now: at(15) });
    expect(fourth).toMatchObject({ changed: true, listed: { total: 2, fromHistory: 0 } });
    expect(fourth.removed.map((p) => p.nevra)).toEqual(['hello-1.0-1.noarch']);
    expect(fourth.pruned.packages).toBe(0);
    const oldHref = second.kept[0]!.href;
    await expect(readFile(join(dest, oldHref))).resolves.toBeDefined();
    expect(await client.available(url)).toEqual(['hello-2.0-1.noarch', 'tools-1.0-1.noarch']);

    // Day 18: outside both windows: the package goes too.
    const fifth = await run({ from: v2, to: dest, now: at(18) });
    expect(fifth).toMatchObject({ changed: false, pruned: { packages: 1 } });
    await expect(readFile(join(dest, oldHref))).rejects.toThrow();
    const history = parseHistory(await readFile(join(dest, HISTORY_PATH)), 'history');
    expect(Object.values(history.packages).map((p) => `${p.name}-${p.version}`).sort()).toEqual(['hello-2.0', 'tools-1.0']);
    expect(history.generations).toHaveLength(1);
    expect(await checkRepo(dest)).toEqual(['hello-2.0-1.noarch', 'tools-1.0-1.noarch']);
  });

  it('bounds versions per name.arch with --keep-versions', async () => {
    const dest = join(dir, 'dest-versions');
    await run({ from: v1, to: dest, now: at(0) });
    await run({ from: v2, to: dest, now: at(1) });
    const r = await run({ from: v3, to: dest, now: at(2), keepVersions: 2 });
    expect(r.kept.map((p) => p.nevra)).toEqual(['hello-2.0-1.noarch']);
    expect(r.removed.map((p) => p.nevra)).toEqual(['hello-1.0-1.noarch']);
    expect(await dnf(join(dir, 'dnf-versions')).available(pathToFileURL(dest).href)).toEqual(['hello-2.0-1.noarch', 'hello-3.0-1.noarch', 'tools-1.0-1.noarch']);
  });

  it('stores a rebuilt NEVRA beside the old build instead of overwriting it', async () => {
    const dest = join(dir, 'dest-rebuild');
    await run({ from: v1, to: dest, now: at(0) });
    const repomd1 = await readFile(join(dest, 'repodata', 'repomd.xml'));
    const rebuilt = await makeRepo(join(dir, 'src-rebuilt'), [rpmSpec('hello', '1.0', '1', { description: 'rebuilt, different bytes' }), rpmSpec('tools', '1.0')]);
    const r = await run({ from: rebuilt, to: dest, now: at(1) });
    expect(r.added.map((p) => p.nevra)).toEqual(['hello-1.0-1.noarch']);
    expect(r.removed.map((p) => p.nevra)).toEqual(['hello-1.0-1.noarch']);
    expect(r.added[0]!.href).not.toBe(r.removed[0]!.href);
    expect(await checkRepo(dest)).toEqual(['hello-1.0-1.noarch', 'tools-1.0-1.noarch']);
    // The old build is still there, byte-identical, for clients holding the previous metadata.
    const oldListing = join(dir, 'old-client');
    await mkdir(join(oldListing, 'repodata'), { recursive: true });
    await writeFile(join(oldListing, 'repodata', 'repomd.xml'), repomd1);
    for (const href of namedBy(repomd1)) await cp(join(dest, href), join(oldListing, href));
    await cp(join(dest, 'packages'), join(oldListing, 'packages'), { recursive: true });
    expect(await checkRepo(oldListing)).toEqual(['hello-1.0-1.noarch', 'tools-1.0-1.noarch']);
  });

  it('publishes from an http:// source and from an inject lock file', async () => {
    const server = await serveDirectory(v2);
    try {
      const dest = join(dir, 'dest-http');
      const r = await run({ from: server.url, to: dest });
      expect(r.listed.total).toBe(2);
      expect(await checkRepo(dest)).toEqual(['hello-2.0-1.noarch', 'tools-1.0-1.noarch']);
      // The lock format `inject --lock-out` writes (packages/ost/src/lib/lock/format.ts), with the digest of
      // the repomd.xml the run saw.
      const repomd = await readFile(join(v2, 'repodata', 'repomd.xml'));
      const lockFile = (entries: unknown[]) => ({
        version: 1,
        createdAt: '2030-01-01T00:00:00.000Z',
        createdBy: 'ovirt-repo inject',
        map: { uri: 'http://store/yum/all_latest.json', varname: 'latest_ci_repos', sources: [] },
        options: { allowProxy: false, noneValue: null },
        entries,
        files: [],
      });
      const lock = join(dir, 'run.lock.json');
      const digest = { sha256: createHash('sha256').update(repomd).digest('hex'), size: repomd.length };
      await writeFile(lock, JSON.stringify(lockFile([{ repo: 'experimental-el9', url: server.url, repomd: digest }, { repo: 'base', url: 'http://mirror/base', repomd: null }])));
      const fromLock = await run({ fromLock: lock, repo: 'experimental-el9', to: join(dir, 'dest-lock') });
      expect(fromLock.source).toBe(server.url);
      expect(await checkRepo(join(dir, 'dest-lock'))).toEqual(['hello-2.0-1.noarch', 'tools-1.0-1.noarch']);
      await expect(run({ fromLock: lock, repo: 'nope', to: join(dir, 'dest-lock') })).rejects.toMatchObject({ code: ErrorCodes.NOT_FOUND, hint: expect.stringContaining('base, experimental-el9') });
      // The URL now serves something else than what was tested: refused, nothing written.
      const changed = join(dir, 'changed.lock.json');
      await writeFile(changed, JSON.stringify(lockFile([{ repo: 'experimental-el9', url: server.url, repomd: { ...digest, sha256: 'f'.repeat(64) } }])));
      await expect(run({ fromLock: changed, repo: 'experimental-el9', to: join(dir, 'dest-changed') })).rejects.toMatchObject({ code: ErrorCodes.CHECKSUM_MISMATCH, message: expect.stringContaining('changed.lock.json') });
      await expect(readdir(join(dir, 'dest-changed'))).rejects.toThrow();
    } finally {
      await server.close();
    }
  });

  it('carries comps over (checksum-named), and republishes when only comps changed', async () => {
    const dest = join(dir, 'dest-comps');
    const a = await makeRepo(join(dir, 'src-comps-a'), [rpmSpec('hello', '2.0')], { 'hello-group': ['hello'] });
    const b = await makeRepo(join(dir, 'src-comps-b'), [rpmSpec('hello', '2.0')], { 'hello-group': ['hello'], 'more-group': ['hello'] });
    await run({ from: a, to: dest, now: at(0) });
    const names = namedBy(await readFile(join(dest, 'repodata', 'repomd.xml')));
    expect(names.filter((n) => /^repodata\/[0-9a-f]{64}-.*comps.*\.xml(\.gz)?$/.test(n))).toHaveLength(2);
    expect(await checkRepo(dest)).toEqual(['hello-2.0-1.noarch']);
    const client = dnf(join(dir, 'dnf-comps'));
    expect(await client.groups(pathToFileURL(dest).href)).toEqual(['hello-group']);
    expect((await run({ from: a, to: dest, now: at(0.1) })).changed).toBe(false);
    const r = await run({ from: b, to: dest, now: at(0.2) });
    expect(r).toMatchObject({ changed: true, added: [], removed: [] });
    expect(await client.groups(pathToFileURL(dest).href)).toEqual(['hello-group', 'more-group']);
  });

  it('repairs a damaged destination, warning about it', async () => {
    const dest = join(dir, 'dest-damaged');
    await run({ from: v1, to: dest, now: at(0) });
    const primary = namedBy(await readFile(join(dest, 'repodata', 'repomd.xml'))).find((h) => h.includes('primary'))!;
    await rm(join(dest, primary));
    const warnings: string[] = [];
    const logger = { info: () => undefined, debug: () => undefined, warn: (m: string) => void warnings.push(m), progress: () => ({ tick: () => undefined, done: () => undefined }) };
    const r = await run({ from: v2, to: dest, now: at(1), logger });
    expect(warnings.join('\n')).toMatch(/live metadata of .*repomd\.xml is damaged/);
    expect(r).toMatchObject({ changed: true, listed: { total: 2, fromHistory: 0 } });
    expect(await checkRepo(dest)).toEqual(['hello-2.0-1.noarch', 'tools-1.0-1.noarch']);
  });

  it('reports without writing under --dry-run', async () => {
    const dest = join(dir, 'dest-dry');
    await run({ from: v1, to: dest, now: at(0) });
    const before = await treeDigest(dest);
    const r = await run({ from: v2, to: dest, now: at(1), dryRun: true });
    expect(r).toMatchObject({ dryRun: true, changed: true, uploaded: { packages: 1 } });
    expect(r.added.map((p) => p.nevra)).toEqual(['hello-2.0-1.noarch']);
    expect(await treeDigest(dest)).toEqual(before);
  });

  describe('bad input leaves the destination unchanged', () => {
    let dest: string;
    let before: Record<string, string>;
    beforeAll(async () => {
      dest = join(dir, 'dest-bad');
      await run({ from: v1, to: dest, now: at(0) });
      before = await treeDigest(dest);
    });
    afterEach(async () => expect(await treeDigest(dest)).toEqual(before));

    it('an unreachable source', async () => {
      await expect(run({ from: 'http://127.0.0.1:9/repo/', to: dest })).rejects.toMatchObject({ code: ErrorCodes.FETCH, message: expect.stringContaining('http://127.0.0.1:9/repo/') });
    });

    it('a directory that is not a repository', async () => {
      await expect(run({ from: join(dir, 'nothing-here'), to: dest })).rejects.toMatchObject({ message: expect.stringContaining('nothing-here') });
    });

    it('a package whose bytes do not match the source metadata', async () => {
      const broken = join(dir, 'src-broken');
      await cp(v2, broken, { recursive: true });
      const rpm = (await readdir(join(broken, 'Packages'))).find((f) => f.startsWith('hello'))!;
      const bytes = await readFile(join(broken, 'Packages', rpm));
      bytes[bytes.length - 1] ^= 0xff;
      await writeFile(join(broken, 'Packages', rpm), bytes);
      await expect(run({ from: broken, to: dest })).rejects.toMatchObject({ code: ErrorCodes.CHECKSUM_MISMATCH, message: expect.stringContaining(rpm) });
    });

    it('an unwritable destination', async () => {
      // A destination of its own (a directory with other files is refused before any write: see
      // existing-directory.spec.ts) where a file stands in the way of the package directories.
      const blocked = join(dir, 'dest-blocked');
      await run({ from: v1, to: blocked, now: at(0) });
      await rm(join(blocked, 'packages'), { recursive: true });
      await writeFile(join(blocked, 'packages'), 'a file where a directory must go');
      const was = await treeDigest(blocked);
      await expect(run({ from: v2, to: blocked, now: at(1) })).rejects.toMatchObject({ code: ErrorCodes.TARGET, message: expect.stringContaining('not a directory'), hint: expect.any(String) });
      expect(await treeDigest(blocked)).toEqual(was);
      await rm(blocked, { recursive: true, force: true });
    });

    it('an unknown destination scheme', async () => {
      await expect(run({ from: v1, to: 'gs://bucket/repo' })).rejects.toMatchObject({ code: ErrorCodes.UNKNOWN_SCHEME, hint: expect.stringMatching(/file:.*rsync:.*s3:.*ssh:/) });
    });
  });
});

describeWithTools(['createrepo_c', 'dnf', 'rpm', 'rsync'], 'publish to an rsync daemon', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let daemon: RsyncDaemon;
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    daemon = await startRsyncDaemon(dir);
  });
  afterAll(async () => {
    await daemon?.stop();
    await cleanup();
  });

  it('keeps the same history and atomic-replace rules over rsync://', async () => {
    const v1 = await makeRepo(join(dir, 'v1'), [rpmSpec('hello', '1.0')]);
    const v2 = await makeRepo(join(dir, 'v2'), [rpmSpec('hello', '2.0')]);
    const to = `${daemon.url}/repo/latest.tested/el9`;
    const local = join(daemon.modules.repo!, 'latest.tested', 'el9');
    const first = await publish({ from: v1, to, now: at(0) });
    expect(first.destination).toBe(to);
    const repomd1 = await readFile(join(local, 'repodata', 'repomd.xml'));
    const before = await treeDigest(local);
    expect((await publish({ from: v1, to, now: at(0.1) })).changed).toBe(false);
    expect(await treeDigest(local)).toEqual(before);
    const second = await publish({ from: v2, to, now: at(1) });
    expect(second.kept.map((p) => p.nevra)).toEqual(['hello-1.0-1.noarch']);
    expect(await checkRepo(local)).toEqual(['hello-1.0-1.noarch', 'hello-2.0-1.noarch']);
    for (const href of namedBy(repomd1)) await expect(readFile(join(local, href))).resolves.toBeDefined();
    const client = dnf(join(dir, 'dnf'));
    expect(await client.install(pathToFileURL(local).href, 'hello-1.0-1', 'hello')).toBe('hello-1.0-1.noarch');
    const pruned = await publish({ from: v2, to, now: at(20) });
    expect(pruned).toMatchObject({ changed: true, pruned: { packages: 0 } });
    const gone = await publish({ from: v2, to, now: at(23) });
    expect(gone.pruned.packages).toBe(1);
    expect(await checkRepo(local)).toEqual(['hello-2.0-1.noarch']);
    // Removed package folders are gone entirely, not left empty.
    const dirs = await readdir(join(local, 'packages'), { recursive: true });
    expect(dirs.filter((d) => d.endsWith('.rpm'))).toHaveLength(1);
    expect(dirs.filter((d) => d.split('/').length === 2)).toHaveLength(1);
  });

  it('publishes over ssh (host:path) through a local stand-in for ssh', async () => {
    const { rsh, log } = await writeFakeSsh(dir);
    const v1 = await makeRepo(join(dir, 'ssh-v1'), [rpmSpec('hello', '1.0')]);
    const dest = join(dir, 'ssh-dest', 'latest.tested');
    const r = await publish({ from: v1, to: `deploy@web.example:${dest}`, env: { ...process.env, RSYNC_RSH: rsh } });
    expect(r).toMatchObject({ changed: true, destination: `deploy@web.example:${dest}` });
    expect(await checkRepo(dest)).toEqual(['hello-1.0-1.noarch']);
    expect(await readFile(log, 'utf8')).toMatch(/^-l deploy web\.example rsync --server/m);
    // repomd.xml is reached through the link that a next publish moves (with its signature) in one step.
    expect(await readlink(join(dest, 'repodata', 'repomd.xml'))).toBe('../.ovirt-repo/repomd/live/repomd.xml');
    const v2 = await makeRepo(join(dir, 'ssh-v2'), [rpmSpec('hello', '2.0')]);
    await publish({ from: v2, to: `deploy@web.example:${dest}`, env: { ...process.env, RSYNC_RSH: rsh } });
    expect(await checkRepo(dest)).toEqual(['hello-1.0-1.noarch', 'hello-2.0-1.noarch']);
    expect(await readdir(join(dest, '.ovirt-repo', 'repomd'))).toHaveLength(2);
  });
});
