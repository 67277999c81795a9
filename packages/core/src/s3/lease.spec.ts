import { describeWithS3, s3TestClientSettings, s3TestPrefix, type S3TestServer } from '@ovirt-repo/test-support';
import { isOvirtRepoError } from '../errors/index.js';
import { newOwner } from '../lock/file-lock.js';
import { createS3Client } from './client.js';
import { acquireS3Lease } from './lease.js';
import type { S3Client } from './types.js';

/** Against the real Ceph RGW: the lease's create-only, compare-and-swap and server-time rules. */
describeWithS3('S3 lease against Ceph RGW', (server: S3TestServer) => {
  const settings = () => s3TestClientSettings(server);
  const bucket = server.bucket;
  let client: S3Client;
  let prefix: string;
  beforeEach(() => {
    client = createS3Client({ settings: settings(), idleTimeoutMs: 5000, retries: 1, backoffMs: 50 });
    prefix = s3TestPrefix();
  });
  afterEach(async () => {
    for await (const entry of client.list(bucket, { prefix })) await client.delete(bucket, entry.key);
    client.close();
  });

  it('of several writers taking over the lease of a dead holder at once, exactly one wins', async () => {
    const key = `${prefix}lease`;
    // A holder on this host whose process is gone (a pid above any pid_max).
    await client.put(bucket, key, JSON.stringify({ ...newOwner('dead'), pid: 2 ** 22 + 17, procStart: undefined, state: 'held', renewal: 0 }));
    const tries = await Promise.allSettled(Array.from({ length: 6 }, () => acquireS3Lease(client, bucket, key, { purpose: 'race' })));
    const won = tries.filter((t) => t.status === 'fulfilled');
    const lost = tries.filter((t): t is PromiseRejectedResult => t.status === 'rejected').map((t) => (isOvirtRepoError(t.reason) ? t.reason.code : String(t.reason)));
    expect([won.length, lost]).toEqual([1, Array(5).fill('E_LOCKED')]);
    const lease = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireS3Lease>>>).value;
    await lease.assertHeld();
    await lease.release();
    // Released by compare-and-swap: the record stays, and the next writer takes it at once.
    expect(JSON.parse((await client.getBytes(bucket, key, 4096))!.data.toString())).toMatchObject({ state: 'released', token: lease.owner.token });
    const next = await acquireS3Lease(client, bucket, key, { purpose: 'next' });
    await next.release();
  });

  it('with outlastDeadHolder, a waiter waits past its timeout until the lease of a dead holder on another host goes stale', async () => {
    const key = `${prefix}lease`;
    await client.put(bucket, key, JSON.stringify({ ...newOwner('killed gc'), hostname: 'other-host.example.org', state: 'held', renewal: 0 }));
    const options = { purpose: 'short', timeoutMs: 100, staleAfterMs: 2000, heartbeatMs: 200 };
    await expect(acquireS3Lease(client, bucket, key, options)).rejects.toMatchObject({ code: 'E_LOCKED', message: expect.stringContaining('other-host.example.org') });
    const lease = await acquireS3Lease(client, bucket, key, { ...options, outlastDeadHolder: true });
    await lease.release();
  });

  it('a holder whose lease object was replaced behind its back finds out at assertHeld, and its release leaves the object alone', async () => {
    const key = `${prefix}lease`;
    const lease = await acquireS3Lease(client, bucket, key, { purpose: 'holder', heartbeatMs: 300 });
    await client.put(bucket, key, 'replaced by hand');
    await expect(lease.assertHeld()).rejects.toMatchObject({ code: 'E_LOCKED', message: expect.stringContaining('lost the lease') });
    expect(lease.lost).toBeDefined();
    await lease.release();
    // Release never overwrites what is there now.
    expect((await client.getBytes(bucket, key, 4096))!.data.toString()).toBe('replaced by hand');
  });
});
