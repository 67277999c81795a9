import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { openStore, pinSnapshot, runGc, syncRepo, unpinSnapshot, verifySnapshot, writeIndex } from '../src/index.js';
import { ensurePluginBuilt } from './helpers/built.js';
import { makeRepo, pkg } from './helpers/fixtures.js';
import { ovirtRepo } from './helpers/commands.js';


/** Every file and directory below `dir`, relative, sorted: to prove a refused command changed nothing. */
async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, rel: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      out.push(`${rel}${e.name}${e.isDirectory() ? '/' : ''}`);
      if (e.isDirectory()) await walk(join(d, e.name), `${rel}${e.name}/`);
    }
  };
  await walk(dir, '');
  return out.sort();
}

describeWithTools(['createrepo_c'], 'a store is made only where nothing else is, and keeps to itself', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let src: string;
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    src = await makeRepo(join(dir, 'src'), [pkg('alpha'), pkg('beta')]);
  });
  afterAll(() => cleanup());

  describe('creating a store (item 8)', () => {
    it('refuses a directory that holds other things, naming it and some of what it holds, and writes nothing', async () => {
      const www = join(dir, 'www');
      await mkdir(join(www, 'images'), { recursive: true });
      await writeFile(join(www, 'index.html'), '<h1>my site</h1>\n');
      await writeFile(join(www, 'robots.txt'), 'User-agent: *\n');
      const before = await tree(www);
      const err = await syncRepo({ store: www, repo: 'el9', from: [src] }).catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 'E_STORE',
        target: www,
        message: expect.stringMatching(/not empty and is not an ovirt-repo store.*images.*index\.html.*robots\.txt/),
        hint: expect.stringContaining('empty or missing directory'),
      });
      expect(await tree(www)).toEqual(before);
      expect(await readFile(join(www, 'index.html'), 'utf8')).toBe('<h1>my site</h1>\n');
    });

    it('lists a few entries, not a whole directory', async () => {
      const full = join(dir, 'full');
      await mkdir(full);
      for (let i = 0; i < 40; i++) await writeFile(join(full, `file-${String(i).padStart(2, '0')}.txt`), '');
      const err = (await syncRepo({ store: full, repo: 'el9', from: [src] }).catch((e: unknown) => e)) as Error;
      expect(err.message).toContain('file-00.txt');
      expect(err.message).toContain('and 35 more');
      expect(err.message).not.toContain('file-39.txt');
    });

    it('is refused the same way by the binary, with exit code 1 and --json', async () => {
      ensurePluginBuilt();
      const www = join(dir, 'www-cli');
      await mkdir(www);
      await writeFile(join(www, 'index.html'), 'site\n');
      const r = await ovirtRepo(['mirror', 'sync', 'el9', '--from', src, '--store', www, '--json']);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'E_STORE', target: www, message: expect.stringContaining('index.html') } });
      expect(await readdir(www)).toEqual(['index.html']);
      // Only a sync makes a store: index write and gc need one, even in an empty directory.
      for (const store of [www, join(dir, 'www-cli-empty')]) {
        await mkdir(store, { recursive: true });
        const before = await readdir(store);
        for (const args of [['index', 'write'], ['gc']]) {
          const r2 = await ovirtRepo([...args, '--store', store, '--json']);
          expect(r2.code).toBe(1);
          expect(JSON.parse(r2.stdout)).toMatchObject({ error: { code: 'E_STORE', target: store } });
        }
        expect(await readdir(store)).toEqual(before);
      }
    });

    it('makes a store in a missing directory, an empty one, or a fresh filesystem (lost+found)', async () => {
      const missing = join(dir, 'new', 'store');
      const empty = join(dir, 'empty');
      const mount = join(dir, 'mount');
      await mkdir(empty);
      await mkdir(join(mount, 'lost+found'), { recursive: true });
      for (const store of [missing, empty, mount]) {
        const r = await syncRepo({ store, repo: 'el9', from: [src] });
        expect(r.changed).toBe(true);
        expect(await verifySnapshot(await openStore(store), 'el9', r.snapshot!)).toMatchObject({ packages: 2 });
      }
    });

    it('keeps working with an existing store, and with one an earlier version made', async () => {
      const store = join(dir, 'existing');
      const first = await syncRepo({ store, repo: 'el9', from: [src] });
      const again = await syncRepo({ store, repo: 'el8', from: [src] });
      expect(again.changed).toBe(true);
      expect(first.snapshot).toBeDefined();
      // Earlier versions wrote the same marker; a restored backup may lack locks/ and cache/.
      await rm(join(store, 'locks'), { recursive: true });
      await rm(join(store, 'cache'), { recursive: true, force: true });
      const later = await syncRepo({ store, repo: 'el7', from: [src] });
      expect(later.changed).toBe(true);
      await writeIndex(await openStore(store), {});
    });

    it('resumes a first sync that was killed at any point of making the store', async () => {
      // The marker is written first, under a temp name then renamed, so a kill leaves: nothing, the temp
      // marker, or a marker and part of the skeleton. Earlier versions made the skeleton first: empty
      // pool/, yum/, locks/ without a marker.
      const cases: Record<string, (d: string) => Promise<void>> = {
        'temp marker only': (d) => writeFile(join(d, '.store.json.tmp-4242-0123abcd'), '{"format":"ovirt-'),
        'marker, no skeleton': (d) => writeFile(join(d, 'store.json'), '{"format":"ovirt-repo-store","version":1,"createdAt":"2026-01-01T00:00:00.000Z"}\n'),
        'old skeleton, no marker': async (d) => {
          for (const s of ['pool', 'yum', 'locks']) await mkdir(join(d, s));
        },
      };
      for (const [name, leave] of Object.entries(cases)) {
        const store = join(dir, `killed-${name.replace(/\W+/g, '-')}`);
        await mkdir(store);
        await leave(store);
        const r = await syncRepo({ store, repo: 'el9', from: [src] });
        expect({ name, changed: r.changed }).toEqual({ name, changed: true });
        expect(JSON.parse(await readFile(join(store, 'store.json'), 'utf8'))).toMatchObject({ format: 'ovirt-repo-store', version: 1 });
      }
    });

    it('does not take an old skeleton that holds something', async () => {
      const store = join(dir, 'not-a-skeleton');
      await mkdir(join(store, 'yum', 'stuff'), { recursive: true });
      await expect(syncRepo({ store, repo: 'el9', from: [src] })).rejects.toMatchObject({ code: 'E_STORE', message: expect.stringContaining('yum') });
      expect(existsSync(join(store, 'store.json'))).toBe(false);
    });

    it('lets first writers race into one empty directory', async () => {
      const store = join(dir, 'race');
      await mkdir(store);
      const results = await Promise.all(['a', 'b', 'c', 'd'].map((repo) => syncRepo({ store, repo, from: [src] })));
      expect(results.map((r) => r.changed)).toEqual([true, true, true, true]);
    });
  });

  describe('a store path that cannot be created (item 9)', () => {
    it('fails at once with E_IO naming it (a path below /proc)', async () => {
      const started = Date.now();
      await expect(syncRepo({ store: '/proc/ovirt-store', repo: 'el9', from: [src] })).rejects.toMatchObject({
        code: 'E_IO',
        message: expect.stringContaining('/proc/ovirt-store'),
        hint: expect.any(String),
      });
      expect(Date.now() - started).toBeLessThan(5000);
    }, 10_000);

    it('fails at once through the binary too', async () => {
      ensurePluginBuilt();
      const r = await ovirtRepo(['mirror', 'sync', 'el9', '--from', src, '--store', '/proc/ovirt-store/x', '--json']);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'E_IO', message: expect.stringContaining('/proc/ovirt-store') } });
    }, 30_000);

    it('fails with E_IO when a file is in the way', async () => {
      const file = join(dir, 'a-file');
      await writeFile(file, 'x');
      await expect(syncRepo({ store: join(file, 'store'), repo: 'el9', from: [src] })).rejects.toMatchObject({ code: 'E_IO', target: file });
    });
  });

  describe('store parts that lead out of the store (item 19)', () => {
    let other: string;
    let otherSnapshot: string;
    beforeAll(async () => {
      other = join(dir, 'other-store');
      otherSnapshot = (await syncRepo({ store: other, repo: 'el9', from: [src] })).snapshot!;
    });

    async function otherStillVerifies(): Promise<void> {
      expect(await verifySnapshot(await openStore(other), 'el9', otherSnapshot)).toMatchObject({ packages: 2 });
    }

    it('gc refuses a store whose pool is a symlink to another store pool, and deletes nothing', async () => {
      const store = join(dir, 'linked-pool');
      await syncRepo({ store, repo: 'mine', from: [await makeRepo(join(dir, 'src-gamma'), [pkg('gamma')])] });
      await rm(join(store, 'pool'), { recursive: true });
      await symlink(join(other, 'pool'), join(store, 'pool'));
      const before = await tree(join(other, 'pool'));
      await expect(runGc(await openStore(store))).rejects.toMatchObject({
        code: 'E_STORE',
        target: join(store, 'pool'),
        message: expect.stringContaining(`symbolic link to ${join(other, 'pool')}`),
        hint: expect.stringContaining('mount'),
      });
      expect(await tree(join(other, 'pool'))).toEqual(before);
      await otherStillVerifies();
    });

    it('sync refuses to write into such a pool', async () => {
      const store = join(dir, 'linked-pool-sync');
      await syncRepo({ store, repo: 'mine', from: [src] });
      await rm(join(store, 'pool'), { recursive: true });
      await symlink(join(other, 'pool'), join(store, 'pool'));
      const gamma = await makeRepo(join(dir, 'src-delta'), [pkg('delta')]);
      await expect(syncRepo({ store, repo: 'mine', from: [gamma] })).rejects.toMatchObject({ code: 'E_STORE', target: join(store, 'pool') });
      expect(JSON.stringify(await tree(join(other, 'pool')))).not.toContain('delta');
    });

    it('gc refuses a repo directory or yum/ that is a symlink into another store', async () => {
      for (const part of ['yum/el9', 'yum', 'cache']) {
        const store = join(dir, `linked-${part.replace('/', '-')}`);
        await syncRepo({ store, repo: 'mine', from: [src] });
        await rm(join(store, part), { recursive: true, force: true });
        await symlink(join(other, part), join(store, part));
        await expect(runGc(await openStore(store), { retention: { keep: 1, maxAgeMs: 0 } })).rejects.toMatchObject({ code: 'E_STORE', target: join(store, part) });
      }
      await otherStillVerifies();
    });

    it('index write, pin and unpin refuse to write through a yum/ that leads into another store', async () => {
      const store = join(dir, 'linked-yum-writers');
      await syncRepo({ store, repo: 'mine', from: [src] });
      await rm(join(store, 'yum'), { recursive: true });
      await symlink(join(other, 'yum'), join(store, 'yum'));
      const before = await tree(join(other, 'yum'));
      const layout = await openStore(store);
      await expect(writeIndex(layout, { baseUrl: 'http://wrong.example.org' })).rejects.toMatchObject({ code: 'E_STORE', target: join(store, 'yum') });
      await expect(pinSnapshot(layout, 'el9', otherSnapshot)).rejects.toMatchObject({ code: 'E_STORE', target: join(store, 'yum') });
      await expect(unpinSnapshot(layout, 'el9', otherSnapshot)).rejects.toMatchObject({ code: 'E_STORE', target: join(store, 'yum') });
      expect(await tree(join(other, 'yum'))).toEqual(before);
    });

    it('gc never follows a symlink inside the pool', async () => {
      const store = join(dir, 'linked-fanout');
      const r = await syncRepo({ store, repo: 'mine', from: [await makeRepo(join(dir, 'src-eps'), [pkg('epsilon')])] });
      const otherFanouts = (await readdir(join(other, 'pool'))).filter((d) => !existsSync(join(store, 'pool', d)));
      for (const dd of otherFanouts) await symlink(join(other, 'pool', dd), join(store, 'pool', dd));
      expect(otherFanouts.length).toBeGreaterThan(0);
      const before = await tree(join(other, 'pool'));
      ensurePluginBuilt();
      const gc = await ovirtRepo(['gc', '--store', store, '--json']);
      expect(gc.code).toBe(0);
      const out = JSON.parse(gc.stdout) as { removedPoolFiles: number; warnings: string[] };
      expect(out.removedPoolFiles).toBe(0);
      expect(out.warnings).toEqual(otherFanouts.map((dd) => expect.stringContaining(`${join(store, 'pool', dd)} alone: it is a symbolic link`)));
      expect(await tree(join(other, 'pool'))).toEqual(before);
      expect(await verifySnapshot(await openStore(store), 'mine', r.snapshot!)).toMatchObject({ packages: 1 });
      await otherStillVerifies();
    });
  });
});
