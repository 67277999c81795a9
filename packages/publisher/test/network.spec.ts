import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureOutput } from '@oclif/test';
import { describeWithTools, freePort, makeTempDir, makeTestPki, startTlsNginx, startTinyproxy, withProxyEnv, type NginxServer, type TinyproxyServer } from '@ovirt-repo/test-support';
import Publish from '../src/commands/publish.js';
import { publish } from '../src/lib/publish.js';
import { checkRepo, makeRepo, rpmSpec, serveDirectory } from './helpers/repos.js';

const pluginRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `publish ... --json` in-process: its parsed output and exit code. */
async function publishJson(argv: string[]): Promise<{ out: Record<string, unknown> & { error?: { code: string; message: string; hint: string } }; exitCode: number }> {
  const prev = process.exitCode;
  process.exitCode = 0;
  const r = await captureOutput(() => Publish.run([...argv, '--json'], pluginRoot));
  const exitCode = Number(process.exitCode ?? 0) || (r.error ? ((r.error as { oclif?: { exit?: number } }).oclif?.exit ?? 1) : 0);
  process.exitCode = prev;
  return { out: JSON.parse(r.stdout) as Record<string, unknown> & { error?: { code: string; message: string; hint: string } }, exitCode };
}

/** Runs `work` with http_proxy (and no other proxy variable) set to `proxy`, or unset. */
function withHttpProxy<T>(proxy: string | undefined, work: () => Promise<T>): Promise<T> {
  return withProxyEnv(proxy ? { http_proxy: proxy } : {}, work);
}

describeWithTools(['createrepo_c', 'tinyproxy', 'nginx', 'openssl'], 'publish --from an http(s) source: proxies and certificates', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let served: Awaited<ReturnType<typeof serveDirectory>>;
  let proxy: TinyproxyServer;

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir('publish-net-'));
    await makeRepo(join(dir, 'src'), [rpmSpec('alpha', '1.0'), rpmSpec('beta', '2.0')]);
    served = await serveDirectory(join(dir, 'src'));
    proxy = await startTinyproxy(join(dir, 'proxy'));
  });
  afterAll(async () => {
    await proxy?.stop();
    await served?.close();
    await cleanup?.();
  });

  const tunnels = async () => (await proxy.log()).split('\n').filter((l) => / CONNECT \S+ HTTP\//.test(l)).length;

  it('reads the source through http_proxy by default, and directly with --no-proxy', async () => {
    const before = await tunnels();
    const viaEnv = await withHttpProxy(proxy.url, () => publish({ from: served.url, to: join(dir, 'dest-env') }));
    expect(viaEnv.changed).toBe(true);
    expect(await checkRepo(join(dir, 'dest-env'))).toHaveLength(2);
    expect(await tunnels()).toBeGreaterThan(before);

    const down = `http://127.0.0.1:${await freePort()}`;
    const direct = await withHttpProxy(down, () => publishJson(['--from', served.url, '--to', join(dir, 'dest-direct'), '--no-proxy']));
    expect(direct.exitCode).toBe(0);
    expect(direct.out).toMatchObject({ changed: true });
  });

  it('takes network: from ovirt-repo.yaml (--config), under the flags', async () => {
    const yaml = join(dir, 'ovirt-repo.yaml');
    await writeFile(yaml, `network:\n  proxy: ${proxy.url}\n`);
    const before = await tunnels();
    const viaConfig = await withHttpProxy(undefined, () => publishJson(['--from', served.url, '--to', join(dir, 'dest-yaml'), '--config', yaml]));
    expect(viaConfig.exitCode).toBe(0);
    const through = await tunnels();
    expect(through).toBeGreaterThan(before);
    const flagWins = await withHttpProxy(undefined, () => publishJson(['--from', served.url, '--to', join(dir, 'dest-yaml-direct'), '--config', yaml, '--no-proxy']));
    expect(flagWins.exitCode).toBe(0);
    expect(await tunnels()).toBe(through);
  });

  it('--proxy URL: a dead proxy fails the publish naming it without credentials', async () => {
    const down = `http://ci:s3cret@127.0.0.1:${await freePort()}`;
    const { out, exitCode } = await withHttpProxy(undefined, () => publishJson(['--from', served.url, '--to', join(dir, 'dest-dead'), '--proxy', down]));
    expect(exitCode).toBe(1);
    expect(out.error).toMatchObject({ code: 'E_FETCH' });
    expect(out.error?.message).toContain(`proxy ${new URL(down).host}: `);
    expect(JSON.stringify(out)).not.toContain('s3cret');
  });

  it('--ca-cert, --client-cert and --client-key reach an https source that requires a client certificate', async () => {
    const pki = await makeTestPki(join(dir, 'pki'));
    let nginx: NginxServer | undefined;
    try {
      nginx = await startTlsNginx(pki, `    location /repo/ { alias ${join(dir, 'src')}/; }`, join(dir, 'nginx'), { requireClientCert: true });
      const from = `${nginx.url}/repo/`;
      const ok = await publishJson(['--from', from, '--to', join(dir, 'dest-tls'), '--no-proxy', '--ca-cert', pki.ca, '--client-cert', pki.clientCert, '--client-key', pki.clientKey]);
      expect(ok.exitCode).toBe(0);
      expect(await checkRepo(join(dir, 'dest-tls'))).toHaveLength(2);
      const noCa = await publishJson(['--from', from, '--to', join(dir, 'dest-no-ca'), '--no-proxy', '--client-cert', pki.clientCert, '--client-key', pki.clientKey]);
      expect(noCa.exitCode).toBe(1);
      expect(noCa.out.error?.message).toContain(`${from}repodata/repomd.xml`);
      expect(noCa.out.error?.message).toMatch(/certificate/i);
    } finally {
      await nginx?.stop();
    }
  });
});
