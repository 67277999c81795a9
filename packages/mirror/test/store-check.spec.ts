import { createHash } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createS3Client } from '@ovirt-repo/core';
import { describeWithS3, s3TestEnv, makeTempDir, s3TestPrefix, type S3TestServer, s3TestClientSettings } from '@ovirt-repo/test-support';
import StoreCheck from '../src/commands/store/check.js';
import { ensurePluginBuilt } from './helpers/built.js';
import { ovirtRepo, runJson } from './helpers/commands.js';

interface CheckJson {
  trusted: boolean;
  backend: string;
  checks: { id: string; status: string; reason: string }[];
  currentVersionAccepted: Record<string, boolean>;
  error?: { code: string; message: string; data: { failed: string[]; checks: { id: string; status: string; reason: string }[] } };
}

const S3_CHECKS = ['create-only-twice', 'concurrent-create', 'cas-stale-quoted', 'cas-stale-unquoted', 'cas-current', 'list-after-put', 'streamed-put'];

/**
 * An S3 endpoint that does what Garage 2.0's PutObject does (read in its source, issue 17): it stores every
 * PUT and ignores If-None-Match and If-Match, answering success. A real node:http server standing in for a
 * server that misbehaves, as the other hostile servers of these tests do.
 */
async function conditionBlindServer(options: { refuseDelete?: boolean } = {}): Promise<{ url: string; close: () => Promise<void> }> {
  const objects = new Map<string, Buffer>();
  const etag = (b: Buffer) => `"${createHash('md5').update(b).digest('hex')}"`;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const key = decodeURIComponent(url.pathname.slice(1));
      if (req.method === 'PUT') {
        const body = Buffer.concat(chunks);
        objects.set(key, body);
        res.writeHead(200, { etag: etag(body) }).end();
      } else if (req.method === 'DELETE') {
        if (options.refuseDelete) return void res.writeHead(400, { 'content-type': 'application/xml' }).end('<Error><Code>InvalidRequest</Code></Error>');
        objects.delete(key);
        res.writeHead(204).end();
      } else if (url.searchParams.get('list-type') === '2') {
        const prefix = `${key.replace(/\/$/, '')}/${url.searchParams.get('prefix') ?? ''}`;
        const found = [...objects].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : 1));
        const contents = found.map(([k, v]) => `<Contents><Key>${k.slice(k.indexOf('/') + 1)}</Key><Size>${v.length}</Size><ETag>${etag(v)}</ETag></Contents>`).join('');
        res.writeHead(200, { 'content-type': 'application/xml' }).end(`<ListBucketResult><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`);
      } else {
        const body = objects.get(key);
        if (!body) return void res.writeHead(404, { 'content-type': 'application/xml' }).end('<Error><Code>NoSuchKey</Code></Error>');
        res.writeHead(200, { etag: etag(body), 'content-length': String(body.length) }).end(req.method === 'HEAD' ? undefined : body);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

describe('ovirt-repo store check', () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeAll(() => ensurePluginBuilt());
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir('store-check-')));
  afterEach(() => cleanup());

  it('passes every check on a directory store and leaves the directory as it was', async () => {
    const store = join(dir, 'store');
    await mkdir(join(store, 'yum'), { recursive: true });
    await writeFile(join(store, 'store.json'), '{}\n');
    const { out, exitCode } = await runJson<CheckJson>(StoreCheck, [store]);
    expect(exitCode).toBe(0);
    expect(out).toMatchObject({ trusted: true, backend: 'file' });
    expect(out.checks.map((c) => [c.id, c.status])).toEqual(['create-only-twice', 'concurrent-create', 'cas-stale', 'cas-current', 'list-after-put', 'streamed-put'].map((id) => [id, 'pass']));
    expect((await readdir(store)).sort()).toEqual(['store.json', 'yum']);
  });

  it('refuses a missing directory and a location that is no s3:// location', async () => {
    const missing = await runJson<CheckJson>(StoreCheck, [join(dir, 'nope')]);
    expect(missing.exitCode).toBe(1);
    expect(missing.out.error).toMatchObject({ code: 'E_NOT_FOUND', message: `${join(dir, 'nope')} does not exist` });
    const bad = await runJson<CheckJson>(StoreCheck, ['s3://ab/x/../y']);
    expect(bad.exitCode).toBe(2);
    expect(bad.out.error?.code).toBe('E_USAGE');
  });

  it('names the failed checks and exits non-zero for a server that ignores If-None-Match and If-Match', async () => {
    const s = await conditionBlindServer();
    const env = { AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'SK', AWS_ENDPOINT_URL_S3: s.url, AWS_CONFIG_FILE: join(dir, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none') };
    try {
      const json = await ovirtRepo(['store', 'check', 's3://blind/store', '--json'], env);
      expect(json.code).toBe(1);
      const out = JSON.parse(json.stdout) as CheckJson;
      const failed = ['create-only-twice', 'concurrent-create', 'cas-stale-quoted', 'cas-stale-unquoted'];
      expect(out.error).toMatchObject({ code: 'E_STORE', message: `s3://blind/store cannot be trusted by writers on many hosts: failed ${failed.join(', ')}`, data: { failed } });
      expect(out.error?.data.checks.find((c) => c.id === 'create-only-twice')?.reason).toMatch(/second create-only write of the same key was accepted and replaced the first object/);
      expect(out.error?.data.checks.find((c) => c.id === 'cas-stale-unquoted')?.reason).toMatch(/overwrote the newer object: a lost update/);
      const human = await ovirtRepo(['store', 'check', 's3://blind/store'], env);
      expect(human.code).toBe(1);
      expect(human.stdout).toMatch(/^FAIL {2}create-only-twice /m);
      expect(human.stdout).toMatch(/^pass {2}streamed-put /m);
      expect(human.stderr).toContain('Error [E_STORE]: s3://blind/store cannot be trusted by writers on many hosts: failed create-only-twice');
    } finally {
      await s.close();
    }
  });
});

describe('ovirt-repo store check, probe objects it cannot remove', () => {
  beforeAll(() => ensurePluginBuilt());

  it('warns that it could not remove them, and --json carries the warning', async () => {
    const s = await conditionBlindServer({ refuseDelete: true });
    const env = { AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'SK', AWS_ENDPOINT_URL_S3: s.url, AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' };
    try {
      const json = await ovirtRepo(['store', 'check', 's3://blind/kept', '--json'], env);
      expect(json.code).toBe(1);
      const out = JSON.parse(json.stdout) as { warnings: string[]; error: { data: { failed: string[] } } };
      expect(out.error.data.failed).toContain('list-after-put');
      expect(out.warnings).toEqual([expect.stringMatching(/^store check: could not remove its probe objects below s3:\/\/blind\/kept\/\.store-check-[^/]+\/: DELETE s3:\/\/blind\/kept\/.+ \(DeleteObject\) failed: HTTP 400 Bad Request: InvalidRequest$/)]);
      const human = await ovirtRepo(['store', 'check', 's3://blind/kept'], env);
      expect(human.stderr).toMatch(/could not remove its probe objects below s3:\/\/blind\/kept\/\.store-check-/);
    } finally {
      await s.close();
    }
  });
});

describeWithS3('ovirt-repo store check against Ceph RGW', (server: S3TestServer) => {
  const env = () => s3TestEnv(server);

  beforeAll(() => ensurePluginBuilt());

  it('passes every check, records which If-Match form RGW honours, and leaves no probe object', async () => {
    const prefix = s3TestPrefix().replace(/\/$/, '');
    const json = await ovirtRepo(['store', 'check', `s3://${server.bucket}/${prefix}`, '--json'], env());
    expect(json.code).toBe(0);
    const out = JSON.parse(json.stdout) as CheckJson;
    expect(out).toMatchObject({ trusted: true, backend: 's3' });
    expect(out.checks.map((c) => [c.id, c.status])).toEqual(S3_CHECKS.map((id) => [id, 'pass']));
    // Measured on Ceph RGW 16.2.15: If-Match matches the bare ETag only; the quoted one (as S3 gives it and
    // RFC 7232 writes it) is refused even when current, so the S3 store must send it unquoted.
    expect(out.currentVersionAccepted).toEqual({ quoted: false, unquoted: true });
    const client = createS3Client({ settings: s3TestClientSettings(server) });
    try {
      expect((await client.listPage(server.bucket, { prefix: `${prefix}/` })).objects).toEqual([]);
    } finally {
      client.close();
    }
    const human = await ovirtRepo(['store', 'check', `s3://${server.bucket}/${prefix}`], env());
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^pass {2}cas-current +a replace from the current version succeeds \(unquoted\); refused in the quoted form/m);
    expect(human.stdout).toContain(`OK: s3://${server.bucket}/${prefix} passed all 7 checks`);
  });

  it('takes the endpoint from the s3: keys of ovirt-repo.yaml, over the AWS environment', async () => {
    const { dir, cleanup } = await makeTempDir('store-check-config-');
    try {
      await writeFile(join(dir, 'ovirt-repo.yaml'), `s3:\n  endpoint: ${server.endpoint}\n  region: ${server.region}\n`);
      const { AWS_ENDPOINT_URL_S3: _, ...withoutEndpoint } = env();
      const prefix = s3TestPrefix().replace(/\/$/, '');
      // The environment names an endpoint where nothing listens: the file's wins.
      const json = await ovirtRepo(['store', 'check', `s3://${server.bucket}/${prefix}`, '--config', join(dir, 'ovirt-repo.yaml'), '--json'], { ...withoutEndpoint, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toMatchObject({ trusted: true, backend: 's3' });
    } finally {
      await cleanup();
    }
  });

  it('stops at wrong keys with the S3 error, never printing the secret', async () => {
    const secret = 'WRONG-secret-0123456789';
    const human = await ovirtRepo(['store', 'check', `s3://${server.bucket}/x`], { ...env(), AWS_SECRET_ACCESS_KEY: secret });
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/^Error \[E_FETCH\]: PUT s3:\/\/[^ ]+ \(PutObject\) failed: HTTP 403 Forbidden: SignatureDoesNotMatch/m);
    const json = await ovirtRepo(['store', 'check', `s3://${server.bucket}/x`, '--json'], { ...env(), AWS_SECRET_ACCESS_KEY: secret });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'E_FETCH', data: { s3Code: 'SignatureDoesNotMatch', status: 403 } } });
    for (const r of [human, json]) expect(`${r.stdout}${r.stderr}`).not.toContain(secret);
  });
});
