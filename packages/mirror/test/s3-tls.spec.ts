import { join } from 'node:path';
import { createS3Client } from '@ovirt-repo/core';
import { describeWithS3, describeWithTools, makeTempDir, makeTestPki, s3TestClientSettings, s3TestEnv, s3TestPrefix, startTlsNginx, type NginxServer, type S3TestServer, type TestPki } from '@ovirt-repo/test-support';
import { ensurePluginBuilt } from './helpers/built.js';
import { ovirtRepo } from './helpers/commands.js';
import { makeRepo, pkg } from './helpers/fixtures.js';

interface JsonError {
  error: { code: string; message: string; hint: string };
}

/**
 * An S3 endpoint whose certificate a site's own CA signed: the real Ceph RGW behind real nginx terminating
 * TLS (a common deployment). The store and publish's s3:// target trust that CA through AWS_CA_BUNDLE, as
 * the AWS CLI does, and refuse the endpoint without it.
 */
describeWithTools(['nginx', 'openssl', 'createrepo_c'], 'an s3:// store and publish target behind TLS with a private CA', () => {
  describeWithS3('an S3 endpoint with a private CA, against Ceph RGW', (server: S3TestServer) => {
    let dir: string;
    let cleanup: () => Promise<void>;
    let nginx: NginxServer;
    let pki: TestPki;
    let endpoint: string;
    const prefix = s3TestPrefix().replace(/\/$/, '');

    beforeAll(async () => {
      ensurePluginBuilt();
      ({ dir, cleanup } = await makeTempDir('s3-tls-'));
      pki = await makeTestPki(join(dir, 'pki'));
      await makeRepo(join(dir, 'upstream'), [pkg('alpha'), pkg('beta', '2.0')]);
      const rgw = new URL(server.endpoint).host;
      nginx = await startTlsNginx(
        pki,
        `    client_max_body_size 0;
    proxy_request_buffering off;
    location / {
      proxy_pass http://${rgw};
      proxy_set_header Host $http_host;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }`,
        join(dir, 'nginx'),
      );
      endpoint = nginx.url;
    }, 120_000);

    afterAll(async () => {
      const client = createS3Client({ settings: s3TestClientSettings(server) });
      for await (const e of client.list(server.bucket, { prefix: `${prefix}/` })) await client.delete(server.bucket, e.key);
      client.close();
      await nginx?.stop();
      await cleanup?.();
    });

    const env = (extra: Record<string, string>) => ({ ...s3TestEnv(server, endpoint), AWS_CA_BUNDLE: '', no_proxy: '*', ...extra });
    const run = async (args: string[], extra: Record<string, string> = {}) => {
      const r = await ovirtRepo([...args, '--json'], env(extra));
      return { code: r.code, out: JSON.parse(r.stdout) as Record<string, unknown> & Partial<JsonError> };
    };

    it('mirror sync and publish reach the endpoint through it with AWS_CA_BUNDLE naming the CA', async () => {
      const store = `s3://${server.bucket}/${prefix}/store`;
      const sync = await run(['mirror', 'sync', 'el9', '--from', join(dir, 'upstream'), '--store', store, '--base-url', 'https://repos.example.org/ci'], { AWS_CA_BUNDLE: pki.ca });
      expect(sync.out).toMatchObject({ changed: true, packages: 2 });
      expect(sync.code).toBe(0);
      const list = await run(['snapshot', 'list', 'el9', '--store', store], { AWS_CA_BUNDLE: pki.ca });
      expect(list.out).toMatchObject({ repo: 'el9', snapshots: [{ packages: 2, latest: true }] });
      const publish = await run(['publish', '--from', join(dir, 'upstream'), '--to', `s3://${server.bucket}/${prefix}/tested`], { AWS_CA_BUNDLE: pki.ca });
      expect(publish.code).toBe(0);
      expect(publish.out).toMatchObject({ changed: true, destination: `s3://${server.bucket}/${prefix}/tested`, uploaded: { packages: 2 } });
    });

    it('without the CA, both fail naming the endpoint and what TLS said, with a hint about AWS_CA_BUNDLE, and write nothing', async () => {
      const store = `s3://${server.bucket}/${prefix}/refused`;
      const sync = await run(['mirror', 'sync', 'el9', '--from', join(dir, 'upstream'), '--store', store, '--base-url', 'https://repos.example.org/ci']);
      expect(sync.code).toBe(1);
      expect(sync.out.error).toMatchObject({ code: 'E_FETCH', message: expect.stringMatching(/certificate/i) });
      expect(sync.out.error?.message).toContain(new URL(endpoint).host);
      expect(sync.out.error?.hint).toContain('AWS_CA_BUNDLE');
      const publish = await run(['publish', '--from', join(dir, 'upstream'), '--to', `s3://${server.bucket}/${prefix}/refused-tested`]);
      expect(publish.code).toBe(1);
      expect(publish.out.error?.message).toMatch(/certificate/i);
      expect(publish.out.error?.hint).toContain('AWS_CA_BUNDLE');
      const client = createS3Client({ settings: s3TestClientSettings(server) });
      const left: string[] = [];
      for await (const e of client.list(server.bucket, { prefix: `${prefix}/refused` })) left.push(e.key);
      client.close();
      expect(left).toEqual([]);
    });
  });
});
