import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeWithTools, makeTempDir, makeTestPki, startTlsNginx, type NginxServer, type TestPki } from '@ovirt-repo/test-support';
import Sync from '../src/commands/mirror/sync.js';
import { ensurePluginBuilt } from './helpers/built.js';
import { ovirtRepo, runJson } from './helpers/commands.js';
import { makeRepo, pkg } from './helpers/fixtures.js';

interface JsonError {
  error: { code: string; message: string; hint: string };
}

describeWithTools(['nginx', 'openssl'], 'mirror sync from https with a private CA and required client certificates (real nginx)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let nginx: NginxServer;
  let pki: TestPki;
  let url: string;

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir('tls-'));
    await makeRepo(join(dir, 'upstream'), [pkg('alpha'), pkg('beta', '2.0')]);
    pki = await makeTestPki(dir);
    nginx = await startTlsNginx(pki, `    location /repo/ { alias ${join(dir, 'upstream')}/; }`, join(dir, 'nginx'), { requireClientCert: true });
    url = `${nginx.url}/repo/`;
  });
  afterAll(async () => {
    await nginx?.stop();
    await cleanup?.();
  });

  const sync = (repo: string, ...args: string[]) => runJson<{ changed: boolean; packages: number; warnings?: string[] } & Partial<JsonError>>(Sync, [repo, '--store', join(dir, `store-${repo}`), '--retries', '0', '--no-proxy', ...args]);

  it('succeeds with --ca-cert and --client-cert/--client-key', async () => {
    const { out, exitCode } = await sync('flags', '--from', url, '--ca-cert', pki.ca, '--client-cert', pki.clientCert, '--client-key', pki.clientKey);
    expect(exitCode).toBe(0);
    expect(out).toMatchObject({ changed: true, packages: 2 });
    expect(out.warnings ?? []).toEqual([]);
  });

  it('without the CA fails naming the URL and what TLS said, not retried, with a hint about --ca-cert', async () => {
    const { out, exitCode } = await sync('no-ca', '--from', url, '--client-cert', pki.clientCert, '--client-key', pki.clientKey);
    expect(exitCode).toBe(1);
    expect(out.error).toMatchObject({ code: 'E_FETCH' });
    expect(out.error?.message).toContain(`GET ${url}repodata/repomd.xml failed: `);
    expect(out.error?.message).toMatch(/certificate/i);
    expect(out.error?.message).not.toMatch(/after \d+ tries/);
    expect(out.error?.hint).toContain('--ca-cert');
  });

  it('without the client certificate fails naming the URL, with a hint about --client-cert', async () => {
    const { out, exitCode } = await sync('no-client', '--from', url, '--ca-cert', pki.ca);
    expect(exitCode).toBe(1);
    expect(out.error).toMatchObject({ code: 'E_FETCH' });
    expect(out.error?.message).toContain(`GET ${url}repodata/repomd.xml failed: HTTP 400`);
    expect(out.error?.hint).toContain('--client-cert');
  });

  it("takes sslcacert, sslclientcert and sslclientkey from a yum config section (paths relative to the file)", async () => {
    const conf = join(dir, 'vendor.repo');
    await writeFile(conf, `[vendor]\nbaseurl=${url}\nsslcacert=ca.pem\nsslclientcert=client.pem\nsslclientkey=client.key\n`);
    const { out, exitCode } = await sync('vendor', '--config', conf);
    expect(exitCode).toBe(0);
    expect(out).toMatchObject({ changed: true, packages: 2 });
  });

  it('takes network.caCert, clientCert and clientKey from ovirt-repo.yaml', async () => {
    const yaml = join(dir, 'ovirt-repo.yaml');
    await writeFile(yaml, 'network:\n  caCert: ca.pem\n  clientCert: client.pem\n  clientKey: client.key\n');
    process.env.OVIRT_REPO_CONFIG = yaml;
    try {
      const { out, exitCode } = await sync('yaml', '--from', url);
      expect(exitCode).toBe(0);
      expect(out).toMatchObject({ changed: true, packages: 2 });
    } finally {
      delete process.env.OVIRT_REPO_CONFIG;
    }
  });

  it('sslverify=0, asked for in the section, skips the check with a warning carried in --json warnings', async () => {
    const conf = join(dir, 'insecure.repo');
    await writeFile(conf, `[insecure]\nbaseurl=${url}\nsslverify=0\nsslclientcert=${pki.clientCert}\nsslclientkey=${pki.clientKey}\n`);
    const { out, exitCode } = await sync('insecure', '--config', conf);
    expect(exitCode).toBe(0);
    expect(out).toMatchObject({ changed: true, packages: 2 });
    expect(out.warnings).toEqual([expect.stringContaining(`[insecure] in ${conf}: TLS certificates are NOT verified (sslverify=0)`)]);
  });

  it('refuses a --ca-cert that is not PEM without printing it (exit 2)', async () => {
    const { out, exitCode } = await sync('bad-ca', '--from', url, '--ca-cert', join(dir, 'server.ext'));
    expect(exitCode).toBe(2);
    expect(out.error).toMatchObject({ code: 'E_USAGE' });
    expect(out.error?.message).toContain(`${join(dir, 'server.ext')} is not a PEM file`);
    expect(JSON.stringify(out)).not.toContain('subjectAltName');
  });
});

describe('mirror sync --help', () => {
  it('lists the proxy and certificate flags with the yum option each mirrors, and an example', async () => {
    ensurePluginBuilt();
    // Wrapped to the terminal's width (examples with `\` continuations): compared with each wrap made one space.
    const help = (await ovirtRepo(['mirror', 'sync', '--help'], { FORCE_COLOR: '0' })).stdout.replace(/\s+\\\s+/g, ' ').replace(/\s+/g, ' ');
    expect(help).toContain("--proxy=URL Fetch upstream through this proxy (yum's proxy=;");
    expect(help).toContain("--no-proxy Use no proxy, whatever http_proxy/https_proxy and the config say (yum's proxy=_none_).");
    expect(help).toContain("--ca-cert=FILE PEM file of the CA(s) server certificates must chain to, instead of the system's (yum's sslcacert).");
    expect(help).toContain("--client-cert=FILE PEM file of the client certificate for servers that require one (yum's sslclientcert).");
    expect(help).toContain("--client-key=FILE PEM file of the client certificate's key (yum's sslclientkey;");
    expect(help).toContain('--proxy http://proxy.example.org:3128 --ca-cert /etc/pki/vendor/ca.pem --client-cert');
  });
});
