import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ErrorCodes, isOvirtRepoError } from '../errors/index.js';
import { readTargetFile } from './put-data.js';
import {
  isBatchCapable,
  isHardlinkCapable,
  isAtomicLinkCapable,
  isLocalPathCapable,
  isLockCapable,
  type SyncTarget,
} from './sync-target.js';

export interface ConformanceCheck {
  name: string;
  ok: boolean;
  /** Why it failed. */
  problem?: string;
}

export interface ConformanceReport {
  location: string;
  ok: boolean;
  checks: ConformanceCheck[];
  /** Optional capabilities found (and checked). */
  capabilities: string[];
}

export interface ConformanceOptions {
  /** Scratch directory inside the target; created and removed again. Default: `.ovirt-repo-check-<random>`. */
  prefix?: string;
}

/**
 * Exercise every SyncTarget method (and each optional capability the target has) inside a scratch
 * directory of the target, then remove it. For plugin authors and their tests, and for
 * `ovirt-repo publish targets --check URL`. Never throws for a misbehaving target: failures are reported.
 */
export async function checkSyncTarget(target: SyncTarget, options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const base = options.prefix ?? `.ovirt-repo-check-${randomBytes(4).toString('hex')}`;
  const p = (rel: string) => `${base}/${rel}`;
  const checks: ConformanceCheck[] = [];
  const capabilities: string[] = [];
  const local = await mkdtemp(join(tmpdir(), 'ovirt-repo-check-'));

  const check = async (name: string, fn: () => Promise<void>) => {
    try {
      await fn();
      checks.push({ name, ok: true });
    } catch (e) {
      checks.push({ name, ok: false, problem: isOvirtRepoError(e) ? `[${e.code}] ${e.describe()}` : String((e as Error)?.message ?? e) });
    }
  };
  const expectContent = async (path: string, expected: string) => {
    const got = (await readTargetFile(target, path)).toString('utf8');
    if (got !== expected) throw new Error(`read(${path}) returned ${JSON.stringify(got.slice(0, 60))}, expected ${JSON.stringify(expected.slice(0, 60))}`);
  };
  const expectCode = async (what: string, code: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (e) {
      if (isOvirtRepoError(e) && e.code === code) return;
      throw new Error(`${what} threw ${isOvirtRepoError(e) ? e.code : String(e)}, expected ${code}`);
    }
    throw new Error(`${what} succeeded, expected ${code}`);
  };

  try {
    await check('put text, bytes, stream and local file; read them back', async () => {
      await target.put(p('a/text.txt'), 'text\n');
      await target.put(p('a/bytes.bin'), new Uint8Array([1, 2, 3]));
      await target.put(p('a/b/stream.txt'), Readable.from([Buffer.from('str'), Buffer.from('eam\n')]));
      const file = join(local, 'local.txt');
      await writeFile(file, 'local\n');
      await target.put(p('a/b/c/local.txt'), { localFile: file });
      await expectContent(p('a/text.txt'), 'text\n');
      await expectContent(p('a/b/stream.txt'), 'stream\n');
      await expectContent(p('a/b/c/local.txt'), 'local\n');
      const bytes = await readTargetFile(target, p('a/bytes.bin'));
      if (!bytes.equals(Buffer.from([1, 2, 3]))) throw new Error('binary content changed on the way');
    });

    await check('put replaces the whole file (a shorter new content leaves no tail)', async () => {
      await target.put(p('a/text.txt'), 'x');
      await expectContent(p('a/text.txt'), 'x');
    });

    await check('stat reports files, directories and missing paths', async () => {
      const file = await target.stat(p('a/b/stream.txt'));
      if (file?.type !== 'file' || file.size !== 7 || file.path !== p('a/b/stream.txt')) throw new Error(`stat(file) gave ${JSON.stringify(file)}`);
      const dir = await target.stat(p('a/b'));
      if (dir?.type !== 'directory') throw new Error(`stat(directory) gave ${JSON.stringify(dir)}`);
      const missing = await target.stat(p('a/nope'));
      if (missing !== undefined) throw new Error(`stat(missing) gave ${JSON.stringify(missing)}`);
    });

    await check('list is recursive, files only, root-relative; a missing prefix is empty', async () => {
      const got = (await target.list(p('a'))).map((e) => `${e.path}:${e.size}`).sort();
      const want = [p('a/b/c/local.txt:6'), p('a/b/stream.txt:7'), p('a/bytes.bin:3'), p('a/text.txt:1')].sort();
      if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`list gave ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
      const none = await target.list(p('missing'));
      if (none.length !== 0) throw new Error(`list(missing) gave ${none.length} entries`);
    });

    await check('read of a missing file fails with E_NOT_FOUND', () => expectCode('read(missing)', ErrorCodes.NOT_FOUND, () => target.read(p('a/nope'))));

    await check('paths leaving the root are refused with E_UNSAFE_PATH', async () => {
      await expectCode('put(../x)', ErrorCodes.UNSAFE_PATH, () => target.put('../outside.txt', 'x'));
      await expectCode('stat(/etc/passwd)', ErrorCodes.UNSAFE_PATH, () => target.stat('/etc/passwd'));
      await expectCode('remove(a/../../x)', ErrorCodes.UNSAFE_PATH, () => target.remove(`${base}/../../x`));
    });

    await check('rename moves a file, replacing the destination', async () => {
      await target.put(p('r/from.txt'), 'moved');
      await target.put(p('r/to.txt'), 'old');
      await target.rename(p('r/from.txt'), p('r/to.txt'));
      await expectContent(p('r/to.txt'), 'moved');
      if (await target.stat(p('r/from.txt'))) throw new Error('rename left the source in place');
      await target.rename(p('r/to.txt'), p('r/new/dir/to.txt'));
      await expectContent(p('r/new/dir/to.txt'), 'moved');
    });

    await check('remove deletes files and whole directories; missing paths are fine', async () => {
      await target.remove(p('a/text.txt'));
      if (await target.stat(p('a/text.txt'))) throw new Error('file still there after remove');
      await target.remove(p('a/text.txt'));
      await target.remove(p('a/b'));
      if ((await target.list(p('a/b'))).length !== 0) throw new Error('directory contents still there after remove');
      if (await target.stat(p('a/b'))) throw new Error('directory still there after remove');
      await expectContent(p('a/bytes.bin'), '\x01\x02\x03');
    });

    if (isBatchCapable(target)) {
      capabilities.push('batch');
      await check('putMany and removeMany', async () => {
        await target.putMany([
          { path: p('m/1.txt'), data: 'one' },
          { path: p('m/x/2.txt'), data: Buffer.from('two') },
          { path: p('m/y/3.txt'), data: 'three' },
        ]);
        await expectContent(p('m/x/2.txt'), 'two');
        await target.removeMany([p('m/1.txt'), p('m/x'), p('m/missing')]);
        const left = (await target.list(p('m'))).map((e) => e.path);
        if (JSON.stringify(left) !== JSON.stringify([p('m/y/3.txt')])) throw new Error(`after removeMany: ${JSON.stringify(left)}`);
      });
    }
    if (isHardlinkCapable(target)) {
      capabilities.push('hardlink');
      await check('link makes a second name for the same content', async () => {
        await target.put(p('l/one.txt'), 'linked');
        await target.link(p('l/one.txt'), p('l/two/two.txt'));
        await expectContent(p('l/two/two.txt'), 'linked');
      });
    }
    if (isAtomicLinkCapable(target)) {
      capabilities.push('symlink');
      await check('symlink switches what a path reads, in one step, and stays inside the root', async () => {
        await target.put(p('s/v1/f.txt'), 'one');
        await target.put(p('s/v2/f.txt'), 'two');
        await target.symlink('live/f.txt', p('s/f.txt'));
        await target.symlink('v1', p('s/live'));
        await expectContent(p('s/f.txt'), 'one');
        await target.symlink('v2', p('s/live'));
        await expectContent(p('s/f.txt'), 'two');
        const link = await target.readLink(p('s/live'));
        if (link !== 'v2') throw new Error(`readLink gave ${JSON.stringify(link)}, expected "v2"`);
        if ((await target.readLink(p('s/v2/f.txt'))) !== undefined) throw new Error('readLink of a plain file is not undefined');
        await expectCode('symlink to ../../outside', ErrorCodes.UNSAFE_PATH, () => target.symlink('../'.repeat(base.split('/').length + 2) + 'outside', p('s/bad')));
        await expectCode('symlink to /etc', ErrorCodes.UNSAFE_PATH, () => target.symlink('/etc', p('s/bad')));
      });
    }
    if (isLocalPathCapable(target)) {
      capabilities.push('local-path');
      await check('localPath points at the stored file', async () => {
        await target.put(p('lp.txt'), 'here');
        const { readFile } = await import('node:fs/promises');
        if ((await readFile(target.localPath(p('lp.txt')), 'utf8')) !== 'here') throw new Error('localPath does not hold the content');
      });
    }
    if (isLockCapable(target)) {
      capabilities.push('lock');
      await check('lock is exclusive until released', async () => {
        const lock = await target.lock(`${base}-lock`);
        try {
          await expectCode('second lock', ErrorCodes.LOCKED, () => target.lock(`${base}-lock`));
        } finally {
          await lock.release();
        }
        const again = await target.lock(`${base}-lock`);
        await again.release();
      });
    }
  } finally {
    await check('clean up the scratch directory', async () => {
      await target.remove(base);
      if ((await target.list(base)).length !== 0) throw new Error(`${base} still has files`);
    });
    await rm(local, { recursive: true, force: true });
  }
  return { location: target.location, ok: checks.every((c) => c.ok), checks, capabilities };
}
