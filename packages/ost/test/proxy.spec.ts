import { join } from 'node:path';
import { describeWithTools, makeTempDir, startTinyproxy, type TinyproxyServer } from '@ovirt-repo/test-support';
import { loadMirrorMap } from '../src/index.js';
import { startServer, type TestServer } from './helpers/http-server.js';

/**
 * mirror_client.py's rule, kept while mirror sync and publish now use proxies by default: inject reads the
 * mirror map without http_proxy unless --allow-proxy (a CI proxy that caches would serve a stale map).
 */
describeWithTools(['tinyproxy'], 'inject reads the mirror map without a proxy unless allowed (real tinyproxy)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let proxy: TinyproxyServer;
  let server: TestServer;
  const saved = process.env.http_proxy;

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir('ost-proxy-'));
    proxy = await startTinyproxy(join(dir, 'proxy'));
    server = await startServer({ '/all_latest.json': JSON.stringify({ 'centos-base-el9': 'http://store.example.org/yum/centos-base-el9/1' }) });
    process.env.http_proxy = proxy.url;
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.http_proxy;
    else process.env.http_proxy = saved;
    await server?.close();
    await proxy?.stop();
    await cleanup?.();
  });

  const tunnels = async () => (await proxy.log()).split('\n').filter((l) => l.includes(`CONNECT ${new URL(server.url).host} `)).length;

  it('goes direct by default although http_proxy names a proxy', async () => {
    const map = await loadMirrorMap(`${server.url}/all_latest.json`);
    expect(map.sources).toEqual([`${server.url}/all_latest.json`]);
    expect(await tunnels()).toBe(0);
  });

  it('goes through http_proxy with allowProxy (--allow-proxy)', async () => {
    const map = await loadMirrorMap(`${server.url}/all_latest.json`, { allowProxy: true });
    expect(map.sources).toEqual([`${server.url}/all_latest.json`]);
    expect(await tunnels()).toBe(1);
  });
});
