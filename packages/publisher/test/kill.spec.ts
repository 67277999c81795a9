import { existsSync } from 'node:fs';
import { cp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isTempName } from '@ovirt-repo/core';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { publish } from '../src/lib/publish.js';
import { at, BUILT_PLUGIN as built, LINKED_POINTS, NEW, OLD, publishUntil } from './helpers/kill-points.js';
import { checkRepo, dnf, makeRepo, rpmSpec, treeDigest } from './helpers/repos.js';

const env = { ...process.env, SOURCE_DATE_EPOCH: '1893456000' };
const runUntil = (from: string, to: string, point: string, now: Date) => publishUntil(from, to, point, now, env);

describeWithTools(['createrepo_c', 'dnf', 'rpm'], 'SIGKILL at any moment leaves a valid repository', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let v1: string;
  let v2: string;
  let v3: string;
  let base: string;
  let reference: Record<string, string>;

  beforeAll(async () => {
    if (!existsSync(built)) throw new Error(`${built} is missing: build the plugin first (npx nx run @ovirt-repo/plugin-publisher:build)`);
    ({ dir, cleanup } = await makeTempDir());
    v1 = await makeRepo(join(dir, 'v1'), [rpmSpec('hello', '1.0'), rpmSpec('tools', '1.0')]);
    v2 = await makeRepo(join(dir, 'v2'), [rpmSpec('hello', '2.0'), rpmSpec('tools', '1.0')]);
    v3 = await makeRepo(join(dir, 'v3'), [rpmSpec('hello', '3.0'), rpmSpec('tools', '1.0')]);
    // The destination before the interrupted publish: two generations, hello-1.0 kept from history.
    base = join(dir, 'base');
    await publish({ from: v1, to: base, now: at(0), env });
    await publish({ from: v2, to: base, now: at(1), env });
    expect(await checkRepo(base)).toEqual(OLD);
    // What an uninterrupted publish of v3 on day 30 leaves (gen 1's metadata pruned on the way).
    const clean = join(dir, 'clean');
    await cp(base, clean, { recursive: true, verbatimSymlinks: true });
    const r = await publish({ from: v3, to: clean, now: at(30), env });
    expect(r.pruned.metadataFiles).toBeGreaterThan(0);
    reference = await treeDigest(clean);
  });
  afterAll(() => cleanup());

  it.each(LINKED_POINTS)('killed at %s: still valid, and the next publish finishes the job', async (point, listing) => {
    const dest = join(dir, point.replace(/:/g, '-'));
    await cp(base, dest, { recursive: true, verbatimSymlinks: true });
    const killed = await runUntil(v3, dest, point, at(30));
    expect(killed.out).toBe(`AT ${point}`);
    const scratch = async () => (await readdir(tmpdir())).filter((n) => n.startsWith('ovirt-repo-publish-') && n.includes(`-${killed.pid}-`));
    expect(await scratch()).toHaveLength(1);
    const files = Object.keys(await treeDigest(dest));
    // The kill really happened mid-run: the dead writer's lock is still there, and a "during" kill left
    // its half-written temp file.
    expect(files).toContain('.ovirt-repo/locks/publish.lock');
    const temps = files.filter((f) => isTempName(f.split('/').pop()!));
    if (point.startsWith('during:')) expect(temps).toHaveLength(1);

    // Right after the kill: a complete repository (every named file present with its checksum), the old
    // one or the new one depending on whether repomd.xml had been replaced, and dnf agrees.
    expect(await checkRepo(dest)).toEqual(listing);
    expect(await dnf(join(dest + '-dnf')).available(pathToFileURL(dest).href)).toEqual(listing);

    // The next run (its lock left by a dead writer is broken) reaches exactly the uninterrupted result.
    await publish({ from: v3, to: dest, now: at(30), env });
    expect(await checkRepo(dest)).toEqual(NEW);
    expect(await treeDigest(dest)).toEqual(reference);
    expect((await readdir(join(dest, 'repodata'))).filter((n) => n.startsWith('.'))).toEqual([]);
    // ...and removed the dead writer's local scratch directory.
    expect(await scratch()).toEqual([]);
  });

  it('a first publish killed after copying a package leaves a destination the next run accepts and finishes', async () => {
    const dest = join(dir, 'first-killed');
    await runUntil(v1, dest, 'after:package:1', at(0));
    const files = Object.keys(await treeDigest(dest));
    expect(files.filter((f) => f.startsWith('packages/'))).toHaveLength(1);
    expect(files).not.toContain('repodata/repomd.xml');
    await publish({ from: v1, to: dest, now: at(0), env });
    expect(await checkRepo(dest)).toEqual(['hello-1.0-1.noarch', 'tools-1.0-1.noarch']);
  });
});
