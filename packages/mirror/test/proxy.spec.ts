import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeWithTools, freePort, makeTempDir, startTinyproxy, withProxyEnv, type TinyproxyServer } from '@ovirt-repo/test-support';
import Sync from '../src/commands/mirror/sync.js';
import { syncRepo } from '../src/index.js';
import { runJson } from './helpers/commands.js';
import { makeRepo, pkg } from './helpers/fixtures.js';
import { startHttpSource, type HttpSource } from './helpers/http-source.js';

/** The CONNECT lines of tinyproxy's log: one per tunnel it opened. */
async function tunnels(proxy: TinyproxyServer): Promise<string[]> {
  return (await proxy.log()).split('\n').filter((l) => / CONNECT \S+ HTTP\//.test(l));
}

describeWithTools(['tinyproxy'], 'mirror sync through a real proxy (tinyproxy)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let source: HttpSource;
  let sourceHost: string;

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir('proxy-'));
    await makeRepo(join(dir, 'upstream'), [pkg('alpha'), pkg('beta', '2.0')]);
    source = await startHttpSource(join(dir, 'upstream'));
    sourceHost = new URL(source.url).host;
  });
  afterAll(async () => {
    await source.close();
    await cleanup();
  });

  const started: TinyproxyServer[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((p) => p.stop()));
  });
  const proxy = async (name: string, options?: Parameters<typeof startTinyproxy>[1]) => {
    const p = await startTinyproxy(join(dir, name), options);
    started.push(p);
    return p;
  };

  it('goes through http_proxy by default: the proxy tunnels every request', async () => {
    const p = await proxy('env');
    const before = source.requests.length;
    const result = await withProxyEnv({ http_proxy: p.url }, () => syncRepo({ store: join(dir, 'store-env'), repo: 'r', from: [`${source.url}/`] }));
    expect(result).toMatchObject({ changed: true, packages: 2 });
    const lines = await tunnels(p);
    // repomd.xml, primary and the two packages at least, each through the proxy.
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.includes(`CONNECT ${sourceHost} `))).toBe(true);
    expect(source.requests.length - before).toBeGreaterThanOrEqual(4);
  });

  it('leaves out the hosts no_proxy names', async () => {
    const p = await proxy('bypass');
    const result = await withProxyEnv({ http_proxy: p.url, no_proxy: 'localhost,127.0.0.1' }, () => syncRepo({ store: join(dir, 'store-bypass'), repo: 'r', from: [`${source.url}/`] }));
    expect(result).toMatchObject({ changed: true, packages: 2 });
    expect(await tunnels(p)).toEqual([]);
  });

  it('--no-proxy fetches directly although http_proxy names a proxy that is down', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const store = join(dir, 'store-noproxy');
    const { out, exitCode } = await withProxyEnv({ http_proxy: down }, () => runJson<{ changed: boolean; packages: number }>(Sync, ['r', '--from', `${source.url}/`, '--store', store, '--no-proxy']));
    expect(exitCode).toBe(0);
    expect(out).toMatchObject({ changed: true, packages: 2 });
  });

  it('--proxy URL with credentials: the proxy that requires them tunnels the sync', async () => {
    const p = await proxy('auth', { basicAuth: { user: 'alice', password: 's3cret' } });
    const store = join(dir, 'store-auth');
    const url = p.url.replace('http://', 'http://alice:s3cret@');
    const { out, exitCode } = await withProxyEnv({}, () => runJson<{ changed: boolean; packages: number }>(Sync, ['r', '--from', `${source.url}/`, '--store', store, '--proxy', url]));
    expect(exitCode).toBe(0);
    expect(out).toMatchObject({ changed: true, packages: 2 });
    expect((await tunnels(p)).length).toBeGreaterThan(0);
    expect(JSON.stringify(out)).not.toContain('s3cret');
  });

  it('a proxy refusing the tunnel (403) fails the sync naming the proxy, never its credentials', async () => {
    const p = await proxy('deny', { allow: '10.255.255.1' });
    const store = join(dir, 'store-deny');
    const url = p.url.replace('http://', 'http://alice:s3cret@');
    const { out, exitCode, stderr } = await withProxyEnv({}, () => runJson<{ error: { code: string; message: string; hint: string } }>(Sync, ['r', '--from', `${source.url}/`, '--store', store, '--proxy', url]));
    expect(exitCode).not.toBe(0);
    expect(out.error.code).toBe('E_FETCH');
    expect(out.error.message).toContain(`proxy ${p.host} refused the tunnel: HTTP 403`);
    expect(out.error.message).toContain(`${source.url}/repodata/repomd.xml`);
    expect(out.error.hint).toContain('proxy');
    expect(JSON.stringify(out) + stderr).not.toContain('s3cret');
  });

  it('a proxy that is down fails the sync naming the proxy, never its credentials', async () => {
    const down = `http://bob:hunter2@127.0.0.1:${await freePort()}`;
    const err = await withProxyEnv({ http_proxy: down }, () => syncRepo({ store: join(dir, 'store-down'), repo: 'r', from: [`${source.url}/`], retries: 0 })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_FETCH', data: { proxy: new URL(down).host } });
    expect((err as Error).message).toContain(`proxy ${new URL(down).host}: `);
    expect((err as Error).message).toContain('ECONNREFUSED');
    expect(JSON.stringify(err) + (err as Error).message).not.toContain('hunter2');
  });

  it("takes a yum config section's proxy= (with proxy_username/proxy_password), and proxy=_none_ beats the environment", async () => {
    const p = await proxy('section', { basicAuth: { user: 'carol', password: 'p-ss.w0rd' } });
    const down = `http://127.0.0.1:${await freePort()}`;
    const conf = join(dir, 'reposync.conf');
    await writeFile(
      conf,
      `[via-proxy]\nbaseurl=${source.url}/\nproxy=${p.url}\nproxy_username=carol\nproxy_password=p-ss.w0rd\n\n[direct]\nbaseurl=${source.url}/\nproxy=_none_\n`,
    );
    const via = await withProxyEnv({ http_proxy: down }, () => syncRepo({ store: join(dir, 'store-section'), repo: 'via-proxy', config: { file: conf } }));
    expect(via).toMatchObject({ changed: true, packages: 2 });
    expect((await tunnels(p)).length).toBeGreaterThan(0);
    const direct = await withProxyEnv({ http_proxy: down }, () => syncRepo({ store: join(dir, 'store-section'), repo: 'direct', config: { file: conf } }));
    expect(direct).toMatchObject({ changed: true, packages: 2 });
  });

  it('--proxy beats the section, and ovirt-repo.yaml network.proxy applies when neither says', async () => {
    const p = await proxy('yaml');
    const down = `http://127.0.0.1:${await freePort()}`;
    const conf = join(dir, 'reposync-down.conf');
    await writeFile(conf, `[r]\nbaseurl=${source.url}/\nproxy=${down}\n`);
    const flagged = await withProxyEnv({}, () => runJson<{ changed: boolean }>(Sync, ['r', '--config', conf, '--store', join(dir, 'store-flag'), '--proxy', p.url]));
    expect(flagged.out).toMatchObject({ changed: true });
    const yaml = join(dir, 'ovirt-repo.yaml');
    await writeFile(yaml, `network:\n  proxy: ${p.url}\n`);
    const before = (await tunnels(p)).length;
    const fromYaml = await withProxyEnv({}, async () => {
      process.env.OVIRT_REPO_CONFIG = yaml;
      try {
        return await runJson<{ changed: boolean }>(Sync, ['r', '--from', `${source.url}/`, '--store', join(dir, 'store-yaml')]);
      } finally {
        delete process.env.OVIRT_REPO_CONFIG;
      }
    });
    expect(fromYaml.out).toMatchObject({ changed: true });
    expect((await tunnels(p)).length).toBeGreaterThan(before);
  });
});
