import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SYNCFS_COMMAND_ENV, isTempName, silentLogger } from '@ovirt-repo/core';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { openStore, readLatest, syncRepo, verifySnapshot } from '../src/index.js';
import { COMPS, UPDATEINFO, makeRepo, pkg } from './helpers/fixtures.js';
import { startHttpSource, type HttpSource } from './helpers/http-source.js';
import { expectLatestVerifies, leftovers, poolLinkOf, snapshotFiles, snapshotIds } from './helpers/store-checks.js';

const MODULES = `---
document: modulemd
version: 2
data:
  name: alpha
  stream: "1"
  version: 20260101000000
  context: c0ffee42
  arch: noarch
  summary: alpha module
  description: alpha module
  license:
    module: [MIT]
  artifacts:
    rpms:
    - alpha-0:1.0-1.noarch
    - alpha-0:2.0-1.noarch
...
`;

describeWithTools(['createrepo_c', 'modifyrepo_c'], 'mirror sync', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: string;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    store = join(dir, 'store');
  });
  afterEach(() => cleanup());

  it('publishes a snapshot that follows the store contract', async () => {
    const src = await makeRepo(join(dir, 'src'), [pkg('alpha'), pkg('beta', '2.0', '3', 'x86_64')]);
    const r = await syncRepo({ store, repo: 'el9', from: [src], baseUrl: 'http://mirrors.example.org/repos' });
    expect(r).toMatchObject({ repo: 'el9', changed: true, packages: 2, added: 2, removed: 0, downloaded: { count: 2 }, indexWritten: true, previous: null });
    expect(r.snapshot).toMatch(/^\d{8}T\d{6}\.\d{3}Z$/);
    expect(r.url).toBe(`http://mirrors.example.org/repos/yum/el9/${r.snapshot}`);
    expect(r.downloaded.bytes).toBeGreaterThan(0);

    const snap = join(store, 'yum', 'el9', r.snapshot!);
    expect((await readFile(join(store, 'yum', 'el9', 'latest.txt'), 'utf8')).trim()).toBe(r.snapshot);
    expect(await poolLinkOf(store, 'el9', r.snapshot!)).toBe('../../../pool');
    const repodata = await readdir(join(snap, 'repodata'));
    expect(repodata).toContain('repomd.xml');
    expect(repodata.filter((n) => /^[0-9a-f]{64}-(primary|filelists|other)\.xml\.gz$/.test(n))).toHaveLength(3);
    expect(repodata.some((n) => n.includes('sqlite'))).toBe(false);

    // Package hrefs point into the pool by checksum, with original file names; the files are there.
    const primary = gunzipSync(await readFile(join(snap, 'repodata', repodata.find((n) => n.endsWith('-primary.xml.gz'))!))).toString();
    const hrefs = [...primary.matchAll(/<location href="([^"]+)"/g)].map((m) => m[1]!).sort();
    expect(hrefs).toHaveLength(2);
    for (const href of hrefs) {
      const m = /^pool\/([0-9a-f]{2})\/([0-9a-f]{64})\/([^/]+\.rpm)$/.exec(href)!;
      expect(m).not.toBeNull();
      expect(m[2]!.startsWith(m[1]!)).toBe(true);
      expect((await stat(join(store, href))).isFile()).toBe(true);
      expect((await stat(join(snap, href))).isFile()).toBe(true);
    }
    expect(await snapshotFiles(store, 'el9', r.snapshot!)).toEqual(['alpha-1.0-1.noarch.rpm', 'beta-2.0-3.x86_64.rpm']);

    // The index, in all four formats.
    const index = JSON.parse(await readFile(join(store, 'yum', 'all_latest.json'), 'utf8'));
    expect(index).toEqual({ latest_ci_repos: { el9: r.url } });
    expect(await readFile(join(store, 'yum', 'all_latest.yaml'), 'utf8')).toContain(`'el9': '${r.url}'`);
    expect(await readFile(join(store, 'yum', 'all_latest.py'), 'utf8')).toContain(`'el9': '${r.url}',`);
    expect(await readFile(join(store, 'yum', 'all_latest.html'), 'utf8')).toContain(`<a href="${r.url}">`);

    await expectLatestVerifies(store, 'el9');
    expect(await leftovers(store, 'el9')).toEqual([]);
  });

  it('makes no snapshot for an unchanged source, and a new one when it changes', async () => {
    const src = await makeRepo(join(dir, 'src'), [pkg('alpha')]);
    const first = await syncRepo({ store, repo: 'r', from: [src] });
    const again = await syncRepo({ store, repo: 'r', from: [src] });
    expect(again).toMatchObject({ changed: false, snapshot: first.snapshot, reason: 'sources unchanged', downloaded: { count: 0, bytes: 0 } });
    expect(await snapshotIds(store, 'r')).toEqual([first.snapshot]);

    await makeRepo(src, [pkg('alpha', '2.0')]);
    const third = await syncRepo({ store, repo: 'r', from: [src] });
    expect(third).toMatchObject({ changed: true, previous: first.snapshot, added: 1, removed: 0, packages: 2, downloaded: { count: 1 } });
    expect(third.snapshot! > first.snapshot!).toBe(true);

    // Other filters are another selection: never "unchanged".
    const filtered = await syncRepo({ store, repo: 'r', from: [src], newestOnly: true });
    expect(filtered).toMatchObject({ changed: true, packages: 1, added: 0, removed: 1, downloaded: { count: 0 } });
  });

  it('creates snapshots without copying packages, and keeps two builds of one NEVRA apart', async () => {
    const a = await makeRepo(join(dir, 'a'), [pkg('alpha', '1.0', '1', 'noarch', { summary: 'build one' })]);
    const b = await makeRepo(join(dir, 'b'), [pkg('alpha', '1.0', '1', 'noarch', { summary: 'build two' })]);
    const ra = await syncRepo({ store, repo: 'one', from: [a] });
    const rb = await syncRepo({ store, repo: 'two', from: [b] });
    const [hrefA] = JSON.parse(await readFile(join(store, 'yum', 'one', ra.snapshot!, 'snapshot.json'), 'utf8')).packages.map((p: { href: string }) => p.href);
    const [hrefB] = JSON.parse(await readFile(join(store, 'yum', 'two', rb.snapshot!, 'snapshot.json'), 'utf8')).packages.map((p: { href: string }) => p.href);
    expect(hrefA).not.toBe(hrefB);
    expect(hrefA.split('/').at(-1)).toBe(hrefB.split('/').at(-1));
    expect(await readFile(join(store, hrefA))).not.toEqual(await readFile(join(store, hrefB)));

    // A third repo from the first snapshot: everything is in the pool already, nothing is copied.
    const inode = (await stat(join(store, hrefA))).ino;
    const rc = await syncRepo({ store, repo: 'three', from: [join(store, 'yum', 'one', ra.snapshot!)] });
    expect(rc).toMatchObject({ changed: true, packages: 1, downloaded: { count: 0, bytes: 0 } });
    expect((await stat(join(store, hrefA))).ino).toBe(inode);
    expect(await readdir(join(store, 'pool'))).toHaveLength(new Set([hrefA, hrefB].map((h: string) => h.split('/')[1])).size);
    await expectLatestVerifies(store, 'three');
  });

  it('applies --arch, --include, --exclude and --newest-only like yum', async () => {
    const src = await makeRepo(join(dir, 'src'), [
      pkg('alpha', '1.0'),
      pkg('alpha', '1.10'),
      pkg('alpha', '1.9'),
      pkg('beta', '1', '1', 'x86_64'),
      pkg('beta', '1', '1', 'i686'),
      pkg('beta-debuginfo', '1', '1', 'x86_64'),
      pkg('gamma', '1', '1', 'x86_64'),
    ]);
    const r = await syncRepo({ store, repo: 'f', from: [src], arch: ['x86_64'], include: ['alpha*', 'beta*'], exclude: ['*-debuginfo'], newestOnly: true });
    expect(await snapshotFiles(store, 'f', r.snapshot!)).toEqual(['alpha-1.10-1.noarch.rpm', 'beta-1-1.x86_64.rpm']);
    await expectLatestVerifies(store, 'f');
  });

  it('additive mode adds builds to the previous snapshot; the newest EVR of each name.arch wins', async () => {
    const b1 = await makeRepo(join(dir, 'b1'), [pkg('vdsm', '4.50.1'), pkg('vdsm-client', '4.50.1')]);
    const b2 = await makeRepo(join(dir, 'b2'), [pkg('ovirt-engine', '4.5.0')]);
    const b3 = await makeRepo(join(dir, 'b3'), [pkg('vdsm', '4.50.2')]);
    const b4 = await makeRepo(join(dir, 'b4'), [pkg('vdsm', '4.50.0')]);
    const repo = 'experimental-4.5-el9';
    await syncRepo({ store, repo, from: [b1], mode: 'additive' });
    await syncRepo({ store, repo, from: [b2], mode: 'additive' });
    const r3 = await syncRepo({ store, repo, from: [b3], mode: 'additive' });
    expect(r3).toMatchObject({ added: 1, removed: 1, packages: 3 });
    expect(await snapshotFiles(store, repo, r3.snapshot!)).toEqual(['ovirt-engine-4.5.0-1.noarch.rpm', 'vdsm-4.50.2-1.noarch.rpm', 'vdsm-client-4.50.1-1.noarch.rpm']);
    // An older build does not replace a newer one.
    const r4 = await syncRepo({ store, repo, from: [b4], mode: 'additive' });
    expect(r4).toMatchObject({ changed: false });
    // --keep-versions 2 keeps the previous version around.
    const r5 = await syncRepo({ store, repo, from: [b4], mode: 'additive', keepVersions: 2 });
    expect(await snapshotFiles(store, repo, r5.snapshot!)).toEqual([
      'ovirt-engine-4.5.0-1.noarch.rpm',
      'vdsm-4.50.0-1.noarch.rpm',
      'vdsm-4.50.2-1.noarch.rpm',
      'vdsm-client-4.50.1-1.noarch.rpm',
    ]);
    // filelists and changelogs survive the merge.
    const snap = join(store, 'yum', repo, r5.snapshot!, 'repodata');
    const filelists = gunzipSync(await readFile(join(snap, (await readdir(snap)).find((n) => n.endsWith('-filelists.xml.gz'))!))).toString();
    expect(filelists).toContain('/usr/share/ovirt-engine/README');
    const other = gunzipSync(await readFile(join(snap, (await readdir(snap)).find((n) => n.endsWith('-other.xml.gz'))!))).toString();
    expect(other).toContain('- vdsm-client built');
    await expectLatestVerifies(store, repo);
  });

  it('reuses the entries of the latest snapshot only when its metadata verifies', async () => {
    const src = await makeRepo(join(dir, 'src'), [pkg('alpha'), pkg('beta')]);
    const repo = 'mirrored';
    const r1 = await syncRepo({ store, repo, from: [src] });
    // A disk error damages the latest snapshot's filelists; the next sync must not carry the damage.
    const old = join(store, 'yum', repo, r1.snapshot!, 'repodata');
    const damaged = (await readdir(old)).find((n) => n.endsWith('-filelists.xml.gz'))!;
    await writeFile(join(old, damaged), 'not gzip');
    await makeRepo(src, [pkg('gamma')]);
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (m: string) => void warnings.push(m) };
    const r2 = await syncRepo({ store, repo, from: [src], logger });
    expect(r2).toMatchObject({ changed: true, packages: 3, added: 1 });
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`^not reusing the metadata of snapshot ${r1.snapshot}: .*${damaged}`))]);
    const snap = join(store, 'yum', repo, r2.snapshot!, 'repodata');
    const filelists = gunzipSync(await readFile(join(snap, (await readdir(snap)).find((n) => n.endsWith('-filelists.xml.gz'))!))).toString();
    for (const name of ['alpha', 'beta', 'gamma']) expect(filelists).toContain(`/usr/share/${name}/README`);
    await expectLatestVerifies(store, repo);
  });

  it('takes the latest snapshot\'s packages as present; --check-pool fetches what is missing or damaged again', async () => {
    const src = await makeRepo(join(dir, 'src'), [pkg('alpha'), pkg('beta')]);
    const repo = 'checked';
    const r1 = await syncRepo({ store, repo, from: [src] });
    const rec = JSON.parse(await readFile(join(store, 'yum', repo, r1.snapshot!, 'snapshot.json'), 'utf8')) as { packages: { name: string; href: string }[] };
    const hrefOf = (name: string) => join(store, rec.packages.find((p) => p.name === name)!.href);
    // Damage by hand: one pool file deleted, one truncated.
    await rm(hrefOf('alpha'));
    await writeFile(hrefOf('beta'), 'short');
    await makeRepo(src, [pkg('gamma')]);
    // A sync that adds a package stats only that one: it does not notice (snapshot verify does).
    const r2 = await syncRepo({ store, repo, from: [src] });
    expect(r2).toMatchObject({ changed: true, added: 1, downloaded: { count: 1 } });
    await expect(verifySnapshot(await openStore(store), repo, r2.snapshot!)).rejects.toMatchObject({ message: expect.stringContaining('problem') });
    // --check-pool: nothing changed, so no snapshot, but both files are fetched again and verified.
    const r3 = await syncRepo({ store, repo, from: [src], checkPool: true });
    expect(r3).toMatchObject({ changed: false, snapshot: r2.snapshot, downloaded: { count: 2 } });
    expect(r3.reason).toContain('2 missing or damaged pool files fetched again');
    await expectLatestVerifies(store, repo);
    const r4 = await syncRepo({ store, repo, from: [src], checkPool: true });
    expect(r4).toMatchObject({ changed: false, downloaded: { count: 0 } });
    expect(r4.reason).toContain('the pool holds every package');
  });

  it('--check-pool in additive mode names a package only the latest snapshot had, which no source can restore', async () => {
    const b1 = await makeRepo(join(dir, 'b1'), [pkg('alpha')]);
    const b2 = await makeRepo(join(dir, 'b2'), [pkg('beta')]);
    const repo = 'exp';
    const r1 = await syncRepo({ store, repo, from: [b1], mode: 'additive' });
    const rec = JSON.parse(await readFile(join(store, 'yum', repo, r1.snapshot!, 'snapshot.json'), 'utf8')) as { packages: { href: string }[] };
    await rm(join(store, rec.packages[0]!.href));
    await expect(syncRepo({ store, repo, from: [b2], mode: 'additive', checkPool: true })).rejects.toMatchObject({
      code: 'E_STORE',
      message: expect.stringContaining(`the latest snapshot references ${rec.packages[0]!.href}, which the pool lacks`),
    });
    expect(await readLatest(await openStore(store), repo)).toBe(r1.snapshot);
  });

  it('carries comps, updateinfo and modules over; a modular repo keeps every version', async () => {
    const src = await makeRepo(join(dir, 'src'), [pkg('alpha', '1.0'), pkg('alpha', '2.0')], { comps: COMPS, updateinfo: UPDATEINFO, modules: MODULES });
    const r = await syncRepo({ store, repo: 'mod', from: [src], newestOnly: true });
    expect(await snapshotFiles(store, 'mod', r.snapshot!)).toEqual(['alpha-1.0-1.noarch.rpm', 'alpha-2.0-1.noarch.rpm']);
    const repomd = await readFile(join(store, 'yum', 'mod', r.snapshot!, 'repodata', 'repomd.xml'), 'utf8');
    for (const t of ['group', 'updateinfo', 'modules']) expect(repomd).toContain(`<data type="${t}">`);
    expect(repomd).not.toContain('_db"');
    const rec = JSON.parse(await readFile(join(store, 'yum', 'mod', r.snapshot!, 'snapshot.json'), 'utf8'));
    expect(rec.modular).toBe(true);
    expect(rec.extraMetadata.map((e: { type: string }) => e.type)).toEqual(['group', 'group_gz', 'modules', 'updateinfo']);
    await expectLatestVerifies(store, 'mod');
  });

  describe('over HTTP', () => {
    let http: HttpSource;
    let web: string;
    beforeEach(async () => {
      web = join(dir, 'web');
      http = await startHttpSource(web);
    });
    afterEach(() => http.close());

    it('downloads packages once, and an unchanged source costs one small request', async () => {
      await makeRepo(join(web, 'repo'), [pkg('alpha'), pkg('beta'), pkg('gamma')]);
      const r = await syncRepo({ store, repo: 'h', from: [`${http.url}/repo/`], workers: 2 });
      expect(r).toMatchObject({ changed: true, packages: 3, downloaded: { count: 3 } });
      expect(http.requests.filter((p) => p.endsWith('.rpm'))).toHaveLength(3);
      http.requests.length = 0;
      const again = await syncRepo({ store, repo: 'h', from: [`${http.url}/repo`] });
      expect(again.changed).toBe(false);
      expect(http.requests).toEqual(['/repo/repodata/repomd.xml']);
      await expectLatestVerifies(store, 'h');
    });

    /** Every file below the store's pool: names in their final places, and any temp files left over. */
    async function poolContents(): Promise<{ files: string[]; temps: string[] }> {
      const all = (await readdir(join(store, 'pool'), { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
      return { files: all.filter((e) => !isTempName(e.name)).map((e) => e.name), temps: all.filter((e) => isTempName(e.name)).map((e) => e.name) };
    }

    it('flushes the pool filesystem once per batch of downloads (and once after the last links), not per file', async () => {
      const specs = Array.from({ length: 300 }, (_, i) => pkg(`many${i}`));
      await makeRepo(join(web, 'repo'), specs);
      // A `sync` that logs each call, then does the real flush.
      const log = join(dir, 'syncfs.log');
      const command = join(dir, 'logging-sync');
      await writeFile(command, `#!/bin/sh\necho "$@" >> '${log}'\nexec sync "$@"\n`, { mode: 0o755 });
      const saved = process.env[SYNCFS_COMMAND_ENV];
      process.env[SYNCFS_COMMAND_ENV] = command;
      let calls: string[];
      try {
        const r = await syncRepo({ store, repo: 'h', from: [`${http.url}/repo/`], workers: 4 });
        expect(r.downloaded.count).toBe(300);
        calls = (await readFile(log, 'utf8')).trim().split('\n');
        // A re-sync's one new package is fsynced by itself: two flushes (two processes) would cost more.
        await makeRepo(join(web, 'repo'), [pkg('one-more')]);
        const again = await syncRepo({ store, repo: 'h', from: [`${http.url}/repo/`], workers: 4 });
        expect(again.downloaded.count).toBe(1);
        expect((await readFile(log, 'utf8')).trim().split('\n')).toEqual(calls);
      } finally {
        if (saved === undefined) delete process.env[SYNCFS_COMMAND_ENV];
        else process.env[SYNCFS_COMMAND_ENV] = saved;
      }
      // 300 files: a full batch of 256, the remaining 44, then the flush of the last links.
      expect(calls).toEqual(Array(3).fill(`--file-system ${join(store, 'pool')}`));
      const pool = await poolContents();
      expect(pool.temps).toEqual([]);
      expect(pool.files.sort()).toEqual([...specs, pkg('one-more')].map((s) => `${s.name}-1.0-1.noarch.rpm`).sort());
      await expectLatestVerifies(store, 'h');
    });

    it('fsyncs file by file where the pool filesystem cannot be flushed as a whole', async () => {
      await makeRepo(join(web, 'repo'), [pkg('alpha'), pkg('beta'), pkg('gamma')]);
      const saved = process.env[SYNCFS_COMMAND_ENV];
      process.env[SYNCFS_COMMAND_ENV] = join(dir, 'no-such-sync-command');
      try {
        const r = await syncRepo({ store, repo: 'h', from: [`${http.url}/repo/`], workers: 2 });
        expect(r).toMatchObject({ changed: true, downloaded: { count: 3 } });
      } finally {
        if (saved === undefined) delete process.env[SYNCFS_COMMAND_ENV];
        else process.env[SYNCFS_COMMAND_ENV] = saved;
      }
      const pool = await poolContents();
      expect(pool.temps).toEqual([]);
      expect(pool.files.sort()).toEqual(['alpha-1.0-1.noarch.rpm', 'beta-1.0-1.noarch.rpm', 'gamma-1.0-1.noarch.rpm']);
      await expectLatestVerifies(store, 'h');
    });

    it('retries transient failures with backoff', async () => {
      await makeRepo(join(web, 'repo'), [pkg('alpha')]);
      http.faults.set('/repo/repodata/repomd.xml', { status: 503, times: 1 });
      http.faults.set('/repo/Packages/alpha-1.0-1.noarch.rpm', { status: 502, times: 2 });
      const r = await syncRepo({ store, repo: 'h', from: [`${http.url}/repo`] });
      expect(r).toMatchObject({ changed: true, downloaded: { count: 1 } });
      expect(http.requests.filter((p) => p.endsWith('.rpm'))).toHaveLength(3);
      await expectLatestVerifies(store, 'h');
    });

    it('takes baseurl, includepkgs and exclude from a reposync config section', async () => {
      await makeRepo(join(web, 'el9', 'x86_64'), [pkg('vdsm'), pkg('vdsm-hook-foo'), pkg('bash')]);
      const conf = join(dir, 'mirrors-reposync.conf');
      await writeFile(conf, `[main]\nreposdir=/dev/null\n\n[ovirt-el9]\nname=oVirt\nbaseurl=${http.url}/el9/$basearch/\n    ${http.url}/unused/\nincludepkgs=vdsm*\nexclude=vdsm-hook-*\n`);
      const r = await syncRepo({ store, repo: 'ovirt-el9', config: { file: conf }, arch: ['x86_64'] });
      expect(await snapshotFiles(store, 'ovirt-el9', r.snapshot!)).toEqual(['vdsm-1.0-1.noarch.rpm']);
    });

    it('uses the first working mirror of a mirrorlist', async () => {
      await makeRepo(join(web, 'good'), [pkg('alpha')]);
      await writeFile(join(web, 'mirrorlist.txt'), `# mirrors\n${http.url}/missing/\n${http.url}/good/\n`);
      const conf = join(dir, 'ml.repo');
      await writeFile(conf, `[ml]\nmirrorlist=${http.url}/mirrorlist.txt\n`);
      const r = await syncRepo({ store, repo: 'ml', config: { file: conf } });
      expect(r.changed).toBe(true);
      expect(r.sources[0]).toMatchObject({ source: `${http.url}/mirrorlist.txt`, baseUrl: `${http.url}/good/` });
    });

    it('checks repomd.xml against a metalink, skips stale mirrors, and needs only the metalink when unchanged', async () => {
      const { createHash } = await import('node:crypto');
      await makeRepo(join(web, 'stale'), [pkg('alpha')]);
      await makeRepo(join(web, 'fresh'), [pkg('alpha'), pkg('beta')]);
      const repomd = await readFile(join(web, 'fresh', 'repodata', 'repomd.xml'));
      const sha = createHash('sha256').update(repomd).digest('hex');
      await writeFile(
        join(web, 'metalink.xml'),
        `<?xml version="1.0" encoding="utf-8"?>
<metalink version="3.0" xmlns="http://www.metalinker.org/" xmlns:mm0="http://fedorahosted.org/mirrormanager">
 <files>
  <file name="repomd.xml">
   <mm0:alternates><mm0:alternate><verification><hash type="sha256">${'0'.repeat(64)}</hash></verification></mm0:alternate></mm0:alternates>
   <verification><hash type="md5">x</hash><hash type="sha256">${sha}</hash></verification>
   <resources maxconnections="1">
    <url protocol="http" type="http" location="US" preference="100">${http.url}/stale/repodata/repomd.xml</url>
    <url protocol="http" type="http" location="US" preference="90">${http.url}/fresh/repodata/repomd.xml</url>
   </resources>
  </file>
 </files>
</metalink>
`,
      );
      const conf = join(dir, 'ml.repo');
      await writeFile(conf, `[epel]\nmetalink=${http.url}/metalink.xml\n`);
      const r = await syncRepo({ store, repo: 'epel', config: { file: conf } });
      expect(r).toMatchObject({ changed: true, packages: 2 });
      expect(r.sources[0]!.repomdSha256).toBe(sha);
      http.requests.length = 0;
      const again = await syncRepo({ store, repo: 'epel', config: { file: conf } });
      expect(again.changed).toBe(false);
      expect(http.requests).toEqual(['/metalink.xml']);
    });
  });

  it('keeps latest pointing at a complete snapshot after each of many syncs', async () => {
    const src = join(dir, 'src');
    for (let i = 1; i <= 3; i++) {
      await rm(src, { recursive: true, force: true });
      await makeRepo(src, [pkg('alpha', `${i}.0`)]);
      const r = await syncRepo({ store, repo: 'x', from: [src] });
      expect(await readLatest(await openStore(store), 'x')).toBe(r.snapshot);
      await verifySnapshot(await openStore(store), 'x', r.snapshot!);
    }
    expect(await snapshotIds(store, 'x')).toHaveLength(3);
  });
});
