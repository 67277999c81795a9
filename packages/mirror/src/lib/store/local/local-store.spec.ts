import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkStore, newOwner, type StoreData } from '@ovirt-repo/core';
import { makeTempDir } from '@ovirt-repo/test-support';
import { LocalStore, openLocalStore } from './local-store.js';

/** Leave lock `name` of the store at `root` as a writer that died holding it leaves it (its pid is gone). */
function deadHolder(root: string) {
  return async (name: string) => {
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => child.on('exit', r));
    await mkdir(join(root, 'locks'), { recursive: true });
    await writeFile(join(root, 'locks', `${name}.lock`), JSON.stringify({ ...newOwner('killed writer'), pid: child.pid, procStart: undefined }));
  };
}

describe('the local filesystem store', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir('local-store-')));
  afterEach(() => cleanup());

  it('passes the store conformance kit, with every capability it claims', async () => {
    const root = join(dir, 'store');
    const store = await openLocalStore(root, { create: true });
    const report = await checkStore(store, { leaveDeadLock: deadHolder(root) });
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.checks.map((c) => c.name)).toContain('the lock of a writer that died is broken by the next one');
    expect(report.capabilities).toEqual(['staged-write', 'symlink', 'local-files', 'deferred-create']);
    expect(report.ok).toBe(true);
    // The kit cleaned up after itself: only the locks directory it used is left.
    expect(await readdir(root)).toEqual(['locks']);
  });

  it('is reported by the kit when create replaces what is there', async () => {
    class Careless extends LocalStore {
      override async create(key: string, data: StoreData): Promise<boolean> {
        await this.remove(key);
        return super.create(key, data);
      }
    }
    await mkdir(join(dir, 'careless'));
    const report = await checkStore(new Careless(join(dir, 'careless')));
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => !c.ok)).toMatchObject({ name: 'create makes an object once: a second create is refused and changes nothing', problem: 'the second create said it created the key' });
  });

  it('never reads or writes through a link that leads out of the store', async () => {
    const root = join(dir, 'store');
    const outside = join(dir, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'secret.txt'), 'outside');
    const store = await openLocalStore(root, { create: true });
    await symlink(outside, join(root, 'yum'));
    await expect(store.read('yum/secret.txt')).rejects.toMatchObject({ code: 'E_UNSAFE_PATH', message: expect.stringContaining('leads outside the store') });
    await expect(store.create('yum/new.txt', 'x')).rejects.toMatchObject({ code: 'E_UNSAFE_PATH' });
    await expect(store.replace('yum/el9/latest.txt', 'x', null)).rejects.toMatchObject({ code: 'E_UNSAFE_PATH' });
    await expect(store.remove('yum/secret.txt')).rejects.toMatchObject({ code: 'E_UNSAFE_PATH' });
    await expect(store.list('yum')).rejects.toMatchObject({ code: 'E_UNSAFE_PATH' });
    expect(await readdir(outside)).toEqual(['secret.txt']);
    // The link itself is the store's: it is seen, and may be removed.
    expect(await store.stat('yum')).toMatchObject({ type: 'link', target: outside });
  });

  it('checks the store part that holds a key (a pool fan-out linked elsewhere) on every write, also after writes that went well', async () => {
    const root = join(dir, 'store');
    const outside = join(dir, 'outside-fanout');
    await mkdir(outside);
    const store = await openLocalStore(root, { create: true });
    expect(await store.create('pool/aa/aaaa/one.rpm', 'x')).toBe(true);
    await symlink(outside, join(root, 'pool', 'bb'));
    await expect(store.create('pool/bb/bbbb/two.rpm', 'x')).rejects.toMatchObject({ code: 'E_UNSAFE_PATH' });
    await expect(store.stat('pool/bb/bbbb/two.rpm')).rejects.toMatchObject({ code: 'E_UNSAFE_PATH' });
    expect(await readdir(outside)).toEqual([]);
    expect(await store.create('pool/aa/aaab/three.rpm', 'x')).toBe(true);
  });

  it('removes leftovers of killed writers once old, and the directories a remove emptied below the second level', async () => {
    const store = await openLocalStore(join(dir, 'store'), { create: true });
    const entry = join(dir, 'store', 'pool', 'ab', 'abcd');
    await mkdir(entry, { recursive: true });
    await writeFile(join(entry, '.a.rpm.tmp-123-0123abcd'), 'old download');
    await writeFile(join(entry, '.b.rpm.tmp-123-0123abce'), 'young download');
    const old = new Date(Date.now() - 7_200_000);
    await utimes(join(entry, '.a.rpm.tmp-123-0123abcd'), old, old);
    expect(await store.list('pool', { recursive: true })).toEqual([]);
    expect(await store.removeLeftovers('pool', { olderThanMs: 3_600_000, recursive: true })).toBe(1);
    expect(await readdir(entry)).toEqual(['.b.rpm.tmp-123-0123abce']);
    expect(await store.removeLeftovers('pool', { olderThanMs: 3_600_000 })).toBe(0);

    await store.create('pool/cd/cdef/c.rpm', 'c');
    await store.remove('pool/cd/cdef/c.rpm');
    expect(existsSync(join(dir, 'store', 'pool', 'cd', 'cdef'))).toBe(false);
    expect(existsSync(join(dir, 'store', 'pool', 'cd'))).toBe(true);
  });

  it('keeps a pointer whole: a replace writes the new content completely or not at all', async () => {
    const store = await openLocalStore(join(dir, 'store'), { create: true });
    const v = await store.replace('yum/el9/latest.txt', '20260101T000000.000Z\n', null);
    await store.replace('yum/el9/latest.txt', '20260102T000000.000Z\n', v);
    expect(await readFile(join(dir, 'store', 'yum', 'el9', 'latest.txt'), 'utf8')).toBe('20260102T000000.000Z\n');
    // No temp file is left anywhere, and the store's root keeps only its parts.
    expect((await readdir(join(dir, 'store'))).sort()).toEqual(['locks', 'yum']);
    expect(await readdir(join(dir, 'store', 'yum', 'el9'))).toEqual(['latest.txt']);
  });

  it('is opened from a path or a file:// URL of an absolute path', async () => {
    const root = join(dir, 'by-url');
    await (await openLocalStore(root, { create: true })).create('store.json', '{}');
    const byUrl = await openLocalStore(pathToFileURL(root).href);
    expect([byUrl.location, (await byUrl.read('store.json'))?.data.toString()]).toEqual([root, '{}']);
    await expect(openLocalStore('file://host-name/srv/repos')).rejects.toMatchObject({ code: 'E_USAGE', hint: expect.stringContaining('file:///srv/repos') });
  });
});
