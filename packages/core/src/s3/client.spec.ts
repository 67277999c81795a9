import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describeWithS3, s3TestClientSettings, s3TestPrefix, type S3TestServer } from '@ovirt-repo/test-support';
import { createS3Client } from './client.js';
import type { S3Client } from './types.js';

/** Against the real Ceph RGW (tools/ceph-rgw/start.sh): what the client sends is what a server accepts. */
describeWithS3('S3 client against Ceph RGW', (server: S3TestServer) => {
  const settings = () => s3TestClientSettings(server);
  let client: S3Client;
  let prefix: string;
  const bucket = server.bucket;

  beforeEach(() => {
    client = createS3Client({ settings: settings(), idleTimeoutMs: 5000, retries: 1, backoffMs: 50 });
    prefix = s3TestPrefix();
  });

  afterEach(async () => {
    for await (const entry of client.list(bucket, { prefix })) await client.delete(bucket, entry.key);
    client.close();
  });

  it('writes, heads, reads (whole and a range), lists and deletes an object', async () => {
    const key = `${prefix}a dir/pkg$1+x.rpm`;
    const put = await client.put(bucket, key, 'hello, store', { contentType: 'application/x-rpm', cacheControl: 'public, max-age=31536000, immutable' });
    expect(put.etag).toBe(`"${createHash('md5').update('hello, store').digest('hex')}"`);
    expect(await client.head(bucket, key)).toMatchObject({ size: 12, etag: put.etag });
    expect((await client.getBytes(bucket, key, 100))?.data.toString()).toBe('hello, store');
    const part = await client.get(bucket, key, { range: { start: 7, end: 11 } });
    expect(part?.size).toBe(12);
    expect(Buffer.concat(await part!.stream.toArray()).toString()).toBe('store');
    const listed = [];
    for await (const e of client.list(bucket, { prefix })) listed.push(e);
    expect(listed).toEqual([expect.objectContaining({ key, size: 12, etag: put.etag })]);
    await client.delete(bucket, key);
    expect(await client.head(bucket, key)).toBeUndefined();
    expect(await client.get(bucket, key)).toBeUndefined();
    await client.delete(bucket, key); // deleting what is gone is fine
  });

  it('lists page by page with continuation tokens, and one level with a delimiter', async () => {
    const keys = ['a/1', 'a/2', 'b/1', 'c', 'd', 'e'].map((k) => `${prefix}${k}`);
    for (const k of keys) await client.put(bucket, k, k);
    const first = await client.listPage(bucket, { prefix, maxKeys: 2 });
    expect(first.objects.map((o) => o.key)).toEqual(keys.slice(0, 2));
    expect(first.nextToken).toBeDefined();
    const all = [];
    for await (const e of client.list(bucket, { prefix })) all.push(e.key);
    expect(all).toEqual(keys);
    const level = await client.listPage(bucket, { prefix, delimiter: '/' });
    expect(level.prefixes).toEqual([`${prefix}a/`, `${prefix}b/`]);
    expect(level.objects.map((o) => o.key)).toEqual(keys.slice(3));
  });

  it('creates only once with If-None-Match: *, the second create is E_CONFLICT and leaves the first', async () => {
    const key = `${prefix}commit`;
    await client.put(bucket, key, 'first', { ifNoneMatch: '*' });
    const err = await client.put(bucket, key, 'second', { ifNoneMatch: '*' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_CONFLICT', data: { operation: 'PutObject', bucket, key, status: 412 } });
    expect((err as Error).message).toContain(`PUT s3://${bucket}/${key}: the object already exists`);
    expect((await client.getBytes(bucket, key, 100))?.data.toString()).toBe('first');
  });

  it('replaces with If-Match only from the current ETag: a stale one is E_CONFLICT', async () => {
    const key = `${prefix}latest`;
    const v1 = await client.put(bucket, key, 'one');
    const v2 = await client.put(bucket, key, 'two', { ifMatch: v1.etag.replace(/"/g, '') });
    const stale = await client.put(bucket, key, 'three', { ifMatch: v1.etag.replace(/"/g, '') }).catch((e: unknown) => e);
    expect(stale).toMatchObject({ code: 'E_CONFLICT', data: { status: 412 } });
    expect((stale as Error).message).toMatch(/changed since it was read/);
    expect((await client.getBytes(bucket, key, 100))).toEqual({ data: Buffer.from('two'), etag: v2.etag });
  });

  it('of 16 concurrent replaces from one ETag exactly one succeeds; the others are E_CONFLICT (RGW answers some of them 500)', async () => {
    // Several rounds: how many losers RGW answers 500 varies from round to round.
    for (let round = 0; round < 5; round++) {
      const key = `${prefix}raced-${round}`;
      const from = (await client.put(bucket, key, 'start')).etag.replace(/"/g, '');
      const outcomes = await Promise.all(
        Array.from({ length: 16 }, (_, i) => client.put(bucket, key, `writer ${i}`, { ifMatch: from }).then(() => `won ${i}`, (e: unknown) => (e as { code?: string }).code)),
      );
      const won = outcomes.filter((o) => o?.startsWith('won'));
      expect(won).toHaveLength(1);
      expect(outcomes.filter((o) => !o?.startsWith('won'))).toEqual(Array(15).fill('E_CONFLICT'));
      expect((await client.getBytes(bucket, key, 100))?.data.toString()).toBe(won[0]?.replace('won', 'writer'));
    }
  });

  it("reports an object's Cache-Control and the server's clock (its Date) with its Last-Modified", async () => {
    const key = `${prefix}dated`;
    await client.put(bucket, key, 'x', { cacheControl: 'no-cache' });
    const info = await client.head(bucket, key);
    expect(info?.cacheControl).toBe('no-cache');
    expect(info?.serverDateMs).toEqual(expect.any(Number));
    expect(Math.abs((info?.serverDateMs ?? 0) - (info?.lastModifiedMs ?? 0))).toBeLessThan(60_000);
  });

  it('streams a PUT of known length, unsigned or with its SHA-256 signed; a wrong SHA-256 is refused', async () => {
    const data = Buffer.alloc(3 * 1024 * 1024 + 5, 7);
    const sha = createHash('sha256').update(data).digest('hex');
    await client.put(bucket, `${prefix}unsigned`, Readable.from([data.subarray(0, 1000), data.subarray(1000)]), { contentLength: data.length });
    await client.put(bucket, `${prefix}signed`, Readable.from([data]), { contentLength: data.length, sha256: sha });
    for (const k of ['unsigned', 'signed']) expect((await client.head(bucket, `${prefix}${k}`))?.size).toBe(data.length);
    const wrong = await client.put(bucket, `${prefix}wrong`, Readable.from([data]), { contentLength: data.length, sha256: sha.replace(/^./, (c) => (c === '0' ? '1' : '0')) }).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: 'E_FETCH', data: { status: 400, s3Code: 'XAmzContentSHA256Mismatch' } });
    expect(await client.head(bucket, `${prefix}wrong`)).toBeUndefined();
  });

  it('turns S3 errors into E_FETCH naming the operation, the location and the S3 code, never the secret', async () => {
    const bad = createS3Client({ settings: { ...settings(), credentials: { accessKeyId: server.accessKeyId, secretAccessKey: 'WRONG-SECRET-value-123' } }, idleTimeoutMs: 5000, retries: 0 });
    try {
      const err = await bad.put(bucket, `${prefix}x`, 'x').catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_FETCH', data: { status: 403, s3Code: 'SignatureDoesNotMatch', operation: 'PutObject' } });
      expect((err as Error).message).toMatch(new RegExp(`^PUT s3://${bucket}/${prefix}x \\(PutObject\\) failed: HTTP 403 Forbidden: SignatureDoesNotMatch`));
      expect((err as { hint: string }).hint).toMatch(/AWS_SECRET_ACCESS_KEY/);
      expect(JSON.stringify({ message: (err as Error).message, ...(err as { toJSON(): object }).toJSON() })).not.toContain('WRONG-SECRET');
    } finally {
      bad.close();
    }
    const missing = await client.put('no-such-bucket-i17', 'k', 'x').catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'E_FETCH', data: { status: 404, s3Code: 'NoSuchBucket', bucket: 'no-such-bucket-i17' } });
  });
});
