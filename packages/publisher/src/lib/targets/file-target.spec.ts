import { chmod, mkdir, readFile, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { DEFAULT_STALE_AFTER_MS, ErrorCodes, TargetRegistry, checkSyncTarget, newOwner, readTargetFile } from '@ovirt-repo/core';
import { makeTempDir } from '@ovirt-repo/test-support';
import { registerBuiltinTargets } from './builtin.js';
import { FileTarget } from './file-target.js';

describe('FileTarget', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
  afterEach(() => cleanup());

  it('passes the SyncTarget conformance checks, with hardlink, local-path, lock and symlink capabilities', async () => {
    const report = await checkSyncTarget(new FileTarget(dir));
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.capabilities.sort()).toEqual(['hardlink', 'local-path', 'lock', 'symlink']);
    expect(await readdir(dir)).toEqual([]);
  });

  it('is opened for plain paths and file:// URLs by the registry', async () => {
    const registry = new TargetRegistry();
    registerBuiltinTargets(registry);
    expect((await registry.open(dir)).location).toBe(dir);
    expect((await registry.open(pathToFileURL(dir).href)).location).toBe(dir);
    await expect(registry.open('file://otherhost/srv')).rejects.toMatchObject({ code: ErrorCodes.USAGE, message: expect.stringContaining('file://otherhost/srv') });
  });

  it('keeps the old content when a put fails half way, and leaves no temp file', async () => {
    const target = new FileTarget(dir);
    await target.put('repodata/repomd.xml', 'old');
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial new content'));
        this.destroy(new Error('source connection reset'));
      },
    });
    await expect(target.put('repodata/repomd.xml', failing)).rejects.toMatchObject({ code: ErrorCodes.TARGET, message: expect.stringContaining('source connection reset') });
    expect(await readFile(join(dir, 'repodata', 'repomd.xml'), 'utf8')).toBe('old');
    expect(await readdir(join(dir, 'repodata'))).toEqual(['repomd.xml']);
  });

  it('writes world-readable files', async () => {
    const target = new FileTarget(dir);
    await target.put('a/b.txt', 'x');
    expect((await stat(join(dir, 'a', 'b.txt'))).mode & 0o777).toBe(0o644);
  });

  it('refuses to remove or rename the root', async () => {
    const target = new FileTarget(dir);
    await expect(target.remove('')).rejects.toMatchObject({ code: ErrorCodes.UNSAFE_PATH });
    await expect(target.remove('.')).rejects.toMatchObject({ code: ErrorCodes.UNSAFE_PATH });
    await expect(target.rename('', 'x')).rejects.toMatchObject({ code: ErrorCodes.UNSAFE_PATH });
  });

  it('explains an unwritable destination', async () => {
    if (process.getuid?.() === 0) {
      // root ignores modes; a file standing where a directory must go fails for everyone.
      await writeFile(join(dir, 'blocker'), 'x');
      const err = await new FileTarget(join(dir, 'blocker')).put('a.txt', 'x').catch((e: unknown) => e);
      expect(err).toMatchObject({ code: ErrorCodes.TARGET, message: expect.stringContaining(join(dir, 'blocker')), hint: expect.any(String) });
      return;
    }
    await mkdir(join(dir, 'locked'));
    await chmod(join(dir, 'locked'), 0o555);
    const err = await new FileTarget(join(dir, 'locked')).put('a.txt', 'x').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCodes.TARGET, hint: expect.stringContaining('permissions') });
  });

  // Node's recursive mkdir loops for ever here (mkdir says ENOENT although /proc exists).
  it('fails at once, naming the directory, where none can be made (below /proc)', async () => {
    const target = new FileTarget('/proc/ovirt-publish');
    await expect(target.put('repodata/a.txt', 'x')).rejects.toMatchObject({ code: ErrorCodes.TARGET, target: '/proc/ovirt-publish', message: expect.stringContaining('cannot create directory /proc/ovirt-publish') });
    await expect(target.lock('publish')).rejects.toMatchObject({ code: ErrorCodes.TARGET, message: expect.stringContaining('/proc/ovirt-publish') });
  }, 10_000);

  it('breaks a lock left by a dead writer on this host, not one held by a live one or another host', async () => {
    const target = new FileTarget(dir);
    const lockFile = join(dir, '.ovirt-repo', 'locks', 'publish.lock');
    await mkdir(join(dir, '.ovirt-repo', 'locks'), { recursive: true });
    const dead = { ...newOwner('publish to a killed run'), pid: 2 ** 22 + 12345, procStart: undefined };
    await writeFile(lockFile, JSON.stringify(dead));
    const lock = await target.lock('publish');
    await expect(target.lock('publish')).rejects.toMatchObject({ code: ErrorCodes.LOCKED, message: expect.stringContaining(`pid ${process.pid}`) });
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
    // Another host's lock with a fresh heartbeat (mtime) is respected, with a way out named.
    await mkdir(join(dir, '.ovirt-repo', 'locks'), { recursive: true });
    await writeFile(lockFile, JSON.stringify({ ...newOwner('publish elsewhere'), pid: 1, hostname: 'elsewhere' }));
    await expect(target.lock('publish')).rejects.toMatchObject({ code: ErrorCodes.LOCKED, message: expect.stringContaining('on elsewhere'), hint: expect.stringContaining(`remove ${lockFile}`) });
    // Once its heartbeat is older than the stale limit, it is broken too.
    const old = new Date(Date.now() - DEFAULT_STALE_AFTER_MS - 60_000);
    await utimes(lockFile, old, old);
    await (await target.lock('publish')).release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('reads files back as streams', async () => {
    const target = new FileTarget(dir);
    await target.put('x/y.bin', new Uint8Array([0, 255]));
    expect(await readTargetFile(target, 'x/y.bin')).toEqual(Buffer.from([0, 255]));
    await expect(target.read('x')).rejects.toMatchObject({ code: ErrorCodes.TARGET });
  });
});
