import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { ErrorCodes, isOvirtRepoError } from '../errors/index.js';
import type { ConformanceCheck, ConformanceReport } from '../target/conformance.js';
import { joinKey } from './keys.js';
import { isDeferredCreateCapable, isLocalFilesCapable, isStagedWriteCapable, isSymlinkCapable, type Store } from './store.js';

export interface StoreConformanceOptions {
  /** Scratch prefix inside the store; created and removed again. Default: `ovirt-repo-check-<random>`. */
  prefix?: string;
  /**
   * Leave lock `name` held by a writer that died (for example a child process that takes it and is killed
   * with SIGKILL). Given, the kit checks that such a lock is broken by the next writer; without it that
   * check is not run.
   */
  leaveDeadLock?: (name: string) => Promise<void>;
}

const CONCURRENT_WRITERS = 16;

/**
 * Exercise every Store method (and each optional capability the store has) inside a scratch prefix, then
 * remove it: what sync, gc and the snapshot commands rely on, including the races (16 concurrent creates of
 * one key, 16 concurrent replaces from one version) and the lock. For backend authors and their tests, and
 * for a probe of a store before writing to it. Never throws for a misbehaving store: failures are reported.
 */
export async function checkStore(store: Store, options: StoreConformanceOptions = {}): Promise<ConformanceReport> {
  const base = options.prefix ?? `ovirt-repo-check-${randomBytes(4).toString('hex')}`;
  const k = (rel: string) => joinKey(base, rel);
  const checks: ConformanceCheck[] = [];
  const capabilities: string[] = [];
  const lockName = `${base}-lock`;

  const check = async (name: string, fn: () => Promise<void>) => {
    try {
      await fn();
      checks.push({ name, ok: true });
    } catch (e) {
      checks.push({ name, ok: false, problem: isOvirtRepoError(e) ? `[${e.code}] ${e.describe()}` : String((e as Error)?.message ?? e) });
    }
  };
  const text = async (key: string) => (await store.read(key))?.data.toString('utf8');
  const expectText = async (key: string, expected: string | undefined) => {
    const got = await text(key);
    if (got !== expected) throw new Error(`read(${key}) gave ${JSON.stringify(got?.slice(0, 60))}, expected ${JSON.stringify(expected?.slice(0, 60))}`);
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
  const keysOf = async (prefix: string, recursive: boolean) => (await store.list(prefix, { recursive })).map((e) => `${e.key}:${e.type}`);
  const expectList = async (prefix: string, recursive: boolean, want: string[]) => {
    const got = await keysOf(prefix, recursive);
    if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`list(${prefix}${recursive ? ', recursive' : ''}) gave ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  };

  try {
    await check('create makes an object once: a second create is refused and changes nothing', async () => {
      if (!(await store.create(k('once.txt'), 'first\n'))) throw new Error('the first create said the key existed');
      if (await store.create(k('once.txt'), Buffer.from('second\n'))) throw new Error('the second create said it created the key');
      await expectText(k('once.txt'), 'first\n');
    });

    await check(`${CONCURRENT_WRITERS} concurrent creates of one key: exactly one wins, and its content is stored`, async () => {
      const won = await Promise.all(Array.from({ length: CONCURRENT_WRITERS }, (_, i) => store.create(k('race.txt'), `writer ${i}\n`)));
      const winners = won.flatMap((w, i) => (w ? [i] : []));
      if (winners.length !== 1) throw new Error(`${winners.length} creates said they created the key`);
      await expectText(k('race.txt'), `writer ${winners[0]}\n`);
    });

    await check('a streamed create; open reads it whole and by range, with its size', async () => {
      await store.create(k('dir/stream.bin'), Readable.from([Buffer.from('0123'), Buffer.from('4567'), Buffer.from('89')]));
      const whole = await store.open(k('dir/stream.bin'));
      const all = whole && (await collect(whole.stream));
      if (whole?.size !== 10 || all !== '0123456789') throw new Error(`open gave ${JSON.stringify(all)} of size ${whole?.size}`);
      const part = await store.open(k('dir/stream.bin'), { start: 2, end: 5 });
      const some = part && (await collect(part.stream));
      if (part?.size !== 10 || some !== '2345') throw new Error(`open(2-5) gave ${JSON.stringify(some)} of size ${part?.size}`);
      if ((await store.open(k('dir/missing.bin'))) !== undefined) throw new Error('open of a missing key gave a stream');
    });

    await check('a create whose data stream fails leaves nothing', async () => {
      const failing = Readable.from(
        (async function* () {
          yield Buffer.from('partial');
          throw new Error('the source broke');
        })(),
      );
      let threw = false;
      await store.create(k('dir/broken.bin'), failing).catch(() => (threw = true));
      if (!threw) throw new Error('create succeeded although its data stream failed');
      if (await store.stat(k('dir/broken.bin'))) throw new Error('the failed create left an object');
      await expectList(k('dir'), false, [`${k('dir/stream.bin')}:object`]);
    });

    await check('replace moves a pointer only from the version read; a stale version is E_CONFLICT', async () => {
      if ((await store.read(k('ptr.txt'))) !== undefined) throw new Error('read of a missing key gave an object');
      const v1 = await store.replace(k('ptr.txt'), 'one\n', null);
      await expectCode('replace(must not exist) over an object', ErrorCodes.CONFLICT, () => store.replace(k('ptr.txt'), 'x\n', null));
      const read = await store.read(k('ptr.txt'));
      if (read?.version !== v1) throw new Error(`read gave version ${read?.version}, replace returned ${v1}`);
      const v2 = await store.replace(k('ptr.txt'), 'two\n', v1);
      if (v2 === v1) throw new Error('the version did not change with the content');
      await expectCode('replace with a stale version', ErrorCodes.CONFLICT, () => store.replace(k('ptr.txt'), 'three\n', v1));
      await expectText(k('ptr.txt'), 'two\n');
    });

    await check(`${CONCURRENT_WRITERS} concurrent replaces from one version: exactly one wins`, async () => {
      const from = (await store.read(k('ptr.txt')))?.version ?? '';
      const outcomes = await Promise.all(
        Array.from({ length: CONCURRENT_WRITERS }, (_, i) =>
          store.replace(k('ptr.txt'), `writer ${i}\n`, from).then(
            () => true,
            (e: unknown) => {
              if (isOvirtRepoError(e) && e.code === ErrorCodes.CONFLICT) return false;
              throw e;
            },
          ),
        ),
      );
      const winners = outcomes.flatMap((w, i) => (w ? [i] : []));
      if (winners.length !== 1) throw new Error(`${winners.length} replaces succeeded`);
      await expectText(k('ptr.txt'), `writer ${winners[0]}\n`);
    });

    await check('list, right after create: one level (objects and prefixes) and recursive (objects); a missing prefix is empty', async () => {
      await store.create(k('l/a.txt'), 'a');
      await store.create(k('l/sub/b.txt'), 'b');
      await store.create(k('l/sub/deeper/c.txt'), 'c');
      await expectList(k('l'), false, [`${k('l/a.txt')}:object`, `${k('l/sub')}:prefix`]);
      await expectList(k('l'), true, [`${k('l/a.txt')}:object`, `${k('l/sub/b.txt')}:object`, `${k('l/sub/deeper/c.txt')}:object`]);
      await expectList(k('nothing-here'), false, []);
      const sizes = (await store.list(k('l'), { recursive: true })).map((e) => e.size);
      if (JSON.stringify(sizes) !== '[1,1,1]') throw new Error(`list gave sizes ${JSON.stringify(sizes)}`);
    });

    await check('stat reports objects, prefixes and missing keys', async () => {
      const object = await store.stat(k('l/a.txt'));
      if (object?.type !== 'object' || object.size !== 1 || object.key !== k('l/a.txt')) throw new Error(`stat(object) gave ${JSON.stringify(object)}`);
      const prefix = await store.stat(k('l/sub'));
      if (prefix?.type !== 'prefix') throw new Error(`stat(prefix) gave ${JSON.stringify(prefix)}`);
      const missing = await store.stat(k('l/nope'));
      if (missing !== undefined) throw new Error(`stat(missing) gave ${JSON.stringify(missing)}`);
    });

    await check('remove deletes an object and a whole prefix; missing keys are fine', async () => {
      await store.remove(k('l/a.txt'));
      await store.remove(k('l/a.txt'));
      if (await store.stat(k('l/a.txt'))) throw new Error('the object is still there after remove');
      await store.remove(k('l/sub'));
      await expectList(k('l'), true, []);
      if (await store.stat(k('l/sub'))) throw new Error('the prefix is still there after remove');
      await expectText(k('once.txt'), 'first\n');
    });

    await check('keys that could leave the store are refused with E_UNSAFE_PATH', async () => {
      await expectCode('create(../x)', ErrorCodes.UNSAFE_PATH, () => store.create('../outside.txt', 'x'));
      await expectCode('stat(/etc/passwd)', ErrorCodes.UNSAFE_PATH, () => store.stat('/etc/passwd'));
      await expectCode('read(a/../../b)', ErrorCodes.UNSAFE_PATH, () => store.read(`${base}/../../b`));
      await expectCode('create(.hidden)', ErrorCodes.UNSAFE_PATH, () => store.create(k('.hidden'), 'x'));
      await expectCode('remove of the root', ErrorCodes.UNSAFE_PATH, () => store.remove(''));
    });

    await check('a lock excludes a second holder until released, and lockHolder names its holder', async () => {
      const lock = await store.lock(lockName, { purpose: 'conformance check', timeoutMs: 0 });
      try {
        await expectCode('a second lock', ErrorCodes.LOCKED, () => store.lock(lockName, { purpose: 'second holder', timeoutMs: 0 }));
        const holder = await store.lockHolder(lockName);
        if (holder?.owner?.token !== lock.owner.token) throw new Error(`lockHolder gave ${JSON.stringify(holder)}`);
        await lock.assertHeld();
      } finally {
        await lock.release();
      }
      if ((await store.lockHolder(lockName)) !== undefined) throw new Error('lockHolder still names a holder after release');
      await (await store.lock(lockName, { purpose: 'after release', timeoutMs: 0 })).release();
    });

    if (options.leaveDeadLock) {
      const leave = options.leaveDeadLock;
      await check('the lock of a writer that died is broken by the next one', async () => {
        await leave(`${lockName}-dead`);
        if ((await store.lockHolder(`${lockName}-dead`)) !== undefined) throw new Error('lockHolder names a dead holder');
        await (await store.lock(`${lockName}-dead`, { purpose: 'after a dead holder', timeoutMs: 10_000 })).release();
      });
    }

    if (isStagedWriteCapable(store)) {
      capabilities.push('staged-write');
      await check('a staged write is invisible until committed, then whole; over an existing prefix it is E_CONFLICT', async () => {
        const staged = await store.stage(k('s/one'));
        await staged.write('a.txt', 'a');
        await staged.write('sub/b.txt', Readable.from([Buffer.from('b')]));
        if ((await store.list(k('s'))).length !== 0) throw new Error('a staged object is visible before commit');
        await staged.commit();
        await expectList(k('s/one'), true, [`${k('s/one/a.txt')}:object`, `${k('s/one/sub/b.txt')}:object`]);
        const again = await store.stage(k('s/one'));
        await again.write('c.txt', 'c');
        await expectCode('commit over an existing prefix', ErrorCodes.CONFLICT, () => again.commit());
        await again.discard();
        const dropped = await store.stage(k('s/two'));
        await dropped.write('d.txt', 'd');
        await dropped.discard();
        await expectList(k('s'), false, [`${k('s/one')}:prefix`]);
      });
    }
    if (isSymlinkCapable(store)) {
      capabilities.push('symlink');
      await check('a link is listed and stat-ed as a link, not followed by a recursive list, and read through', async () => {
        await store.create(k('t/data/x.txt'), 'through the link');
        if (!(await store.symlink(k('t/snap/data'), '../data'))) throw new Error('symlink said the key existed');
        const st = await store.stat(k('t/snap/data'));
        if (st?.type !== 'link' || st.target !== '../data') throw new Error(`stat(link) gave ${JSON.stringify(st)}`);
        if ((await store.stat(k('t/snap/data'), { follow: true }))?.type !== 'prefix') throw new Error('stat(link, follow) does not see the prefix');
        await expectText(k('t/snap/data/x.txt'), 'through the link');
        await expectList(k('t/snap'), true, [`${k('t/snap/data')}:link`]);
        if (await store.symlink(k('t/snap/data'), '../other')) throw new Error('a second symlink of one key said it created it');
      });
    }
    if (isLocalFilesCapable(store)) {
      capabilities.push('local-files');
      await check('localPath is where an object is on this machine', async () => {
        const { readFile } = await import('node:fs/promises');
        if ((await readFile(store.localPath(k('once.txt')), 'utf8')) !== 'first\n') throw new Error('localPath does not hold the content');
      });
    }
    if (isDeferredCreateCapable(store)) {
      capabilities.push('deferred-create');
      await check('prepared objects are invisible until committed; a commit is create-only', async () => {
        const a = await store.prepare(k('p/a.bin'), Readable.from([Buffer.from('aa')]));
        const b = await store.prepare(k('p/a.bin'), 'bb');
        if (a.size !== 2 || (await store.stat(k('p/a.bin')))) throw new Error('a prepared object is visible, or its size is wrong');
        const flushed = await store.flush(k('p'));
        if (!(await a.commit({ flushed }))) throw new Error('the first commit said the key existed');
        if (await b.commit()) throw new Error('the second commit of one key said it created it');
        await expectText(k('p/a.bin'), 'aa');
        const c = await store.prepare(k('p/c.bin'), 'c');
        await c.discard();
        await expectList(k('p'), false, [`${k('p/a.bin')}:object`]);
      });
    }
  } finally {
    await check('clean up the scratch prefix', async () => {
      await store.remove(base);
      if ((await store.list(base, { recursive: true })).length !== 0) throw new Error(`${base} still holds objects`);
    });
  }
  return { location: store.location, ok: checks.every((c) => c.ok), checks, capabilities };
}

async function collect(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString('utf8');
}
