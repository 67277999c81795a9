import { jest } from '@jest/globals';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkStore, createS3Client, IMMUTABLE, isOvirtRepoError, newOwner, NO_CACHE, type S3Client } from '@ovirt-repo/core';
import { describeWithS3, s3TestEnv, s3TestPrefix, type S3TestServer, s3TestClientSettings } from '@ovirt-repo/test-support';
import { ensurePluginBuilt } from '../../../../test/helpers/built.js';
import { runChild } from '../../../../test/helpers/child.js';

import { S3Store } from './s3-store.js';

/** Leases of these tests go stale after this long without a heartbeat (by the server's clock). */
const STALE_MS = 2000;

describeWithS3('the S3 store, against Ceph RGW', (server: S3TestServer) => {
  const env = s3TestEnv(server);
  const root = s3TestPrefix().replace(/\/$/, '');
  let client: S3Client;
  let prefix: string;
  let store: S3Store;
  const storeAt = (p: string, options: { staleAfterMs?: number } = {}) => new S3Store({ client, bucket: server.bucket, prefix: p, staleAfterMs: options.staleAfterMs ?? STALE_MS });
  const objectsBelow = async (p: string) => {
    const keys: string[] = [];
    for await (const e of client.list(server.bucket, { prefix: `${p}/` })) keys.push(e.key.slice(p.length + 1));
    return keys.sort();
  };

  beforeAll(() => ensurePluginBuilt());
  beforeEach(() => {
    client = createS3Client({ settings: s3TestClientSettings(server), idleTimeoutMs: 10_000, retries: 1, backoffMs: 50 });
    prefix = `${root}/${s3TestPrefix().replace(/\/$/, '')}`;
    store = storeAt(prefix);
  });
  afterEach(async () => {
    for await (const e of client.list(server.bucket, { prefix: `${prefix}/` })) await client.delete(server.bucket, e.key);
    client.close();
  });

  it('passes the store conformance kit, a lock left by a writer killed with SIGKILL included', async () => {
    const location = `s3://${server.bucket}/${prefix}`;
    const report = await checkStore(store, {
      leaveDeadLock: async (name) => {
        const run = runChild('hold-lock', { store: location, name, staleAfterMs: STALE_MS }, env);
        let out = '';
        run.child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
        for (let i = 0; i < 200 && !out.includes('"locked":true'); i++) await sleep(50);
        run.child.kill('SIGKILL');
        const ended = await run.done;
        if (ended.signal !== 'SIGKILL' || !out.includes('"locked":true')) throw new Error(`the child did not take the lock: ${out} ${ended.stderr}`);
        // The heartbeats stopped with it: the lease goes stale by the server's clock.
        const deadline = Date.now() + 4 * STALE_MS;
        while ((await store.lockHolder(name)) !== undefined && Date.now() < deadline) await sleep(250);
      },
    });
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.checks.map((c) => c.name)).toContain('the lock of a writer that died is broken by the next one');
    expect(report.capabilities).toEqual(['staged-write']);
    expect(report.ok).toBe(true);
    expect(report.location).toBe(location);
    // Only the released leases are left (never deleted: see lease.ts), out of sight in the reserved namespace.
    expect((await objectsBelow(prefix)).every((k) => k.startsWith('.ovirt-repo/locks/'))).toBe(true);
    expect(await store.list('')).toEqual([]);
  }, 60_000);

  it('never lets a reader see part of a staged set: each listing shows all of it or none', async () => {
    const names = Array.from({ length: 24 }, (_, i) => `repodata/file-${String(i).padStart(2, '0')}.xml`);
    const seen: number[] = [];
    let committed = false;
    const observe = async () => {
      const all = await store.list('yum/el9', { recursive: true });
      seen.push(all.filter((e) => e.key.startsWith('yum/el9/snap/')).length);
      const one = await store.list('yum/el9');
      const shown = one.some((e) => e.key === 'yum/el9/snap');
      const whole = (await store.list('yum/el9/snap', { recursive: true })).length;
      // A prefix shown one level up is complete when listed right after.
      seen.push(shown ? whole : 0);
    };
    // A reader running beside the writer, and one observation after each write.
    const reader = (async () => {
      while (!committed) await observe();
    })();
    await store.create('yum/el9/latest.txt', 'old\n');
    const staged = await store.stage('yum/el9/snap');
    for (const n of names) {
      await staged.write(n, `<${n}/>`);
      await observe();
    }
    expect(await store.stat('yum/el9/snap')).toBeUndefined();
    await staged.commit();
    committed = true;
    await reader;
    expect(seen.length).toBeGreaterThanOrEqual(2 * names.length);
    expect(seen.filter((n) => n !== 0 && n !== names.length)).toEqual([]);
    expect((await store.list('yum/el9/snap', { recursive: true })).map((e) => e.key)).toEqual(names.map((n) => `yum/el9/snap/${n}`));
    expect(await store.stat('yum/el9/snap')).toMatchObject({ type: 'prefix' });
  }, 60_000);

  it('hides a staged set its writer left, refuses a second stager, and removeLeftovers removes the set once old', async () => {
    const left = await store.stage('yum/el9/left');
    await left.write('repodata/repomd.xml', '<repomd/>');
    await left.write('snapshot.json', Readable.from([Buffer.from('{}')]));
    // The writer stops here (killed): no commit, no discard.
    expect(await store.list('yum/el9')).toEqual([]);
    expect(await store.stat('yum/el9/left')).toBeUndefined();
    await expect(store.stage('yum/el9/left')).rejects.toMatchObject({ code: 'E_CONFLICT', message: expect.stringContaining(`s3://${server.bucket}/${prefix}/yum/el9/left`) });
    expect(await store.removeLeftovers('yum', { olderThanMs: 60_000, recursive: true })).toBe(0);
    expect(await objectsBelow(`${prefix}/yum`)).toEqual(['el9/left/repodata/repomd.xml', 'el9/left/snapshot.json']);
    await sleep(1100); // the server's clock counts in seconds
    expect(await store.removeLeftovers('yum', { olderThanMs: 1000, recursive: true })).toBe(1);
    expect(await objectsBelow(prefix)).toEqual([]);
    // The prefix is free again.
    const again = await store.stage('yum/el9/left');
    await again.write('a.txt', 'a');
    await again.commit();
    expect((await store.list('yum/el9')).map((e) => e.key)).toEqual(['yum/el9/left']);
  }, 30_000);

  it('judges a lease stale by the server clock, never by this host\'s', async () => {
    const foreign = { ...newOwner('a writer on another host'), hostname: 'other-host.example.org' };
    await client.put(server.bucket, `${prefix}/.ovirt-repo/locks/repo-el9`, `${JSON.stringify({ ...foreign, state: 'held', renewal: 0 })}\n`, { ifNoneMatch: '*' });
    const realNow = Date.now;
    // This host's clock an hour ahead: a lease judged by it would be stale at once.
    const ahead = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 3_600_000);
    try {
      expect(await store.lockHolder('repo-el9', { staleAfterMs: 60_000 })).toEqual({ owner: foreign });
      await expect(store.lock('repo-el9', { purpose: 'sync', timeoutMs: 0, staleAfterMs: 60_000 })).rejects.toMatchObject({ code: 'E_LOCKED', message: expect.stringContaining('other-host.example.org') });
    } finally {
      ahead.mockRestore();
    }
    await sleep(STALE_MS + 1100);
    expect(await store.lockHolder('repo-el9')).toBeUndefined();
    const lock = await store.lock('repo-el9', { purpose: 'sync', timeoutMs: 0 });
    expect((await store.lockHolder('repo-el9'))?.owner?.token).toBe(lock.owner.token);
    await lock.assertHeld();
    await lock.release();
    expect(await store.lockHolder('repo-el9')).toBeUndefined();
  }, 30_000);

  it('of several waiters for a stale lease exactly one takes it over, and the loser of a takeover finds out', async () => {
    const lock = await store.lock('repo-x', { purpose: 'first', timeoutMs: 0, staleAfterMs: 60_000, heartbeatMs: 60_000 });
    await sleep(STALE_MS + 1100);
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        storeAt(prefix)
          .lock('repo-x', { purpose: `waiter ${i}`, timeoutMs: 0 })
          .then(
            () => 'won',
            (e: unknown) => (isOvirtRepoError(e) ? e.code : String(e)),
          ),
      ),
    );
    expect(outcomes.filter((o) => o === 'won')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'won')).toEqual(Array(5).fill('E_LOCKED'));
    await expect(lock.assertHeld()).rejects.toMatchObject({ code: 'E_LOCKED', message: expect.stringContaining('lost lock') });
    // Its release does not free the lease the winner holds now.
    await lock.release();
    expect((await store.lockHolder('repo-x', { staleAfterMs: 60_000 }))?.owner?.purpose).toMatch(/^waiter \d$/);
  }, 30_000);

  it('stat with objectOnly asks for the object alone: one request, and a prefix there is not looked for', async () => {
    await store.create('pool/ab/abcd/p.rpm', 'package');
    const requests = async (f: () => Promise<unknown>) => {
      const before = client.requests;
      const value = await f();
      return { value, requests: client.requests - before };
    };
    expect(await requests(() => store.stat('pool/ab/abcd/p.rpm', { objectOnly: true }))).toEqual({ value: expect.objectContaining({ type: 'object', size: 7 }), requests: 1 });
    expect(await requests(() => store.stat('pool/ab/abcd/q.rpm', { objectOnly: true }))).toEqual({ value: undefined, requests: 1 });
    expect(await requests(() => store.stat('pool/ab/abcd', { objectOnly: true }))).toEqual({ value: undefined, requests: 1 });
    // Without it, a missing object costs a listing more, which finds a prefix.
    expect(await requests(() => store.stat('pool/ab/abcd'))).toEqual({ value: expect.objectContaining({ type: 'prefix' }), requests: 3 });
  });

  it('writes Cache-Control: immutable for created objects, no-cache for replaced ones', async () => {
    await store.create('pool/ab/abcd/a.rpm', 'rpm');
    await store.create('yum/el9/s/repodata/repomd.xml', Readable.from([Buffer.from('<repomd/>')]));
    const v = await store.replace('yum/el9/latest.txt', 's\n', null);
    await store.replace('yum/el9/latest.txt', 't\n', v);
    const head = (key: string) => client.head(server.bucket, `${prefix}/${key}`);
    expect(await head('pool/ab/abcd/a.rpm')).toMatchObject({ cacheControl: IMMUTABLE });
    expect(await head('yum/el9/s/repodata/repomd.xml')).toMatchObject({ cacheControl: IMMUTABLE });
    expect(await head('yum/el9/latest.txt')).toMatchObject({ cacheControl: NO_CACHE });
  });

  it('spools a large stream of unknown length, refuses one over the bound, and never names a secret', async () => {
    const big = Buffer.alloc(9 * 1024 * 1024, 'x');
    expect(await store.create('pool/cd/cdef/big.rpm', Readable.from([big.subarray(0, 5_000_000), big.subarray(5_000_000)]))).toBe(true);
    expect((await store.stat('pool/cd/cdef/big.rpm'))?.size).toBe(big.length);
    const small = new S3Store({ client, bucket: server.bucket, prefix, maxObjectBytes: 1000 });
    const refused = await small.create('pool/cd/cdef/huge.rpm', Readable.from([Buffer.alloc(2000)])).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'E_STORE', message: expect.stringContaining(`s3://${server.bucket}/${prefix}/pool/cd/cdef/huge.rpm`) });
    expect(await small.stat('pool/cd/cdef/huge.rpm')).toBeUndefined();
    const wrongKeys = createS3Client({ settings: { credentials: { accessKeyId: server.accessKeyId, secretAccessKey: 'NOT-THE-SECRET-42' }, region: server.region, endpoint: new URL(server.endpoint), credentialSource: 'test' }, retries: 0 });
    try {
      const denied = await new S3Store({ client: wrongKeys, bucket: server.bucket, prefix }).read('store.json').catch((e: unknown) => e);
      expect(denied).toMatchObject({ code: 'E_FETCH', message: expect.stringContaining(`s3://${server.bucket}/${prefix}/store.json`) });
      expect(JSON.stringify({ ...(denied as object), message: (denied as Error).message })).not.toContain('NOT-THE-SECRET-42');
    } finally {
      wrongKeys.close();
    }
  }, 30_000);
});
