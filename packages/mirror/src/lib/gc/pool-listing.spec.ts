import { createHash } from 'node:crypto';
import { createS3Client, type S3Client } from '@ovirt-repo/core';
import { describeWithS3, s3TestClientSettings, s3TestPrefix, type S3TestServer } from '@ovirt-repo/test-support';
import { poolHref } from '../store/layout.js';
import { S3Store } from '../store/s3/s3-store.js';
import { runGc } from './run-gc.js';

/**
 * On an object store every listing is a request: gc must read the pool in requests that do not grow with
 * the number of packages (a prefix per package made a no-op gc of a 200-package store cost 400 GETs).
 */
describeWithS3('gc reading the pool of an s3 store', (server: S3TestServer) => {
  let client: S3Client;
  let prefix: string;
  beforeEach(() => {
    client = createS3Client({ settings: s3TestClientSettings(server), idleTimeoutMs: 10_000, retries: 1, backoffMs: 50 });
    prefix = s3TestPrefix().replace(/\/$/, '');
  });
  afterEach(async () => {
    for await (const e of client.list(server.bucket, { prefix: `${prefix}/` })) await client.delete(server.bucket, e.key);
    client.close();
  });

  async function storeWithPackages(name: string, count: number): Promise<S3Store> {
    const store = new S3Store({ client, bucket: server.bucket, prefix: `${prefix}/${name}` });
    for (let i = 0; i < count; i++) {
      const digest = createHash('sha256').update(`${name}-${i}`).digest('hex');
      await store.create(poolHref(digest, `pkg-${i}-1.0-1.noarch.rpm`), `package ${i}`);
    }
    return store;
  }

  it('lists the pool in a number of requests that does not grow with its packages, and sees every file', async () => {
    const small = await storeWithPackages('small', 3);
    const large = await storeWithPackages('large', 60);
    const requestsOf = async (store: S3Store) => {
      const before = client.requests;
      const result = await runGc(store, { dryRun: true });
      return { requests: client.requests - before, removed: result.removedPoolFiles };
    };
    const a = await requestsOf(small);
    const b = await requestsOf(large);
    expect({ small: a.removed, large: b.removed }).toEqual({ small: 3, large: 60 });
    expect(b.requests).toBe(a.requests);
  });
});
