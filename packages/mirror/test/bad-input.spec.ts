import { execFileSync } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describeWithTools, itWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { syncRepo } from '../src/index.js';
import { editPrimary, makeRepo, pkg } from './helpers/fixtures.js';
import { startHttpSource, type HttpSource } from './helpers/http-source.js';
import { expectLatestVerifies, leftovers, snapshotIds } from './helpers/store-checks.js';

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describeWithTools(['createrepo_c'], 'mirror sync with bad input', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: string;
  let http: HttpSource;
  let web: string;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    store = join(dir, 'store');
    web = join(dir, 'web');
    http = await startHttpSource(web);
  });
  afterEach(async () => {
    await http.close();
    await cleanup();
  });

  /** Nothing was published: no snapshot, no latest.txt, no leftovers; the pool holds nothing unverified. */
  async function expectNothingPublished(repo: string, before: string[] = []): Promise<void> {
    expect(await snapshotIds(store, repo)).toEqual(before);
    expect(await leftovers(store, repo)).toEqual([]);
    if (before.length === 0) await expect(readFile(join(store, 'yum', repo, 'latest.txt'))).rejects.toThrow();
    else await expectLatestVerifies(store, repo);
  }

  async function poolFiles(): Promise<string[]> {
    const out: string[] = [];
    for (const dd of await readdir(join(store, 'pool')).catch(() => [] as string[]))
      for (const d of await readdir(join(store, 'pool', dd)))
        for (const f of await readdir(join(store, 'pool', dd, d))) out.push(`${dd}/${d}/${f}`);
    return out;
  }

  it('fails on an unreachable source, naming the URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/repo/`;
    const err = await syncRepo({ store, repo: 'r', from: [url], retries: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_FETCH', message: expect.stringContaining(`${url}repodata/repomd.xml`) });
    expect((err as Error).message).toContain('ECONNREFUSED');
    await expectNothingPublished('r');
  });

  itWithTools(['openssl'], 'verifies TLS certificates (a self-signed server is refused)', async () => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    await makeRepo(join(web, 'repo'), [pkg('alpha')]);
    const server = https.createServer({ key: await readFile(key), cert: await readFile(cert) }, (_req, res) => {
      res.statusCode = 200;
      res.end('not reached');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `https://127.0.0.1:${(server.address() as { port: number }).port}/repo/`;
      const err = await syncRepo({ store, repo: 'r', from: [url], retries: 2 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_FETCH', message: expect.stringContaining(url) });
      expect((err as { hint: string }).hint).toMatch(/certificate/);
      await expectNothingPublished('r');
    } finally {
      server.close();
    }
  });

  it('fails on a directory that is not a repo, and on one that does not exist, saying which', async () => {
    await mkdir(join(dir, 'not-a-repo'), { recursive: true });
    const err = await syncRepo({ store, repo: 'r', from: [join(dir, 'not-a-repo')] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_FETCH', message: expect.stringContaining('repodata/repomd.xml not found: the source is not a YUM repo') });
    expect((err as { hint?: string }).hint).toMatch(/repodata/);
    await expectNothingPublished('r');
    const missing = await syncRepo({ store, repo: 'r', from: [join(dir, 'nothing-here')] }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'E_NOT_FOUND', message: `source directory ${join(dir, 'nothing-here')}/ does not exist`, hint: expect.stringContaining('--from') });
    await expectNothingPublished('r');
  });

  it('fails on HTTP 404 for repomd.xml', async () => {
    const err = await syncRepo({ store, repo: 'r', from: [`${http.url}/nope/`] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_FETCH', message: expect.stringContaining(`${http.url}/nope/repodata/repomd.xml`) });
  });

  it('fails on a malformed repomd.xml', async () => {
    await makeRepo(join(web, 'repo'), [pkg('alpha')]);
    await writeFile(join(web, 'repo', 'repodata', 'repomd.xml'), '<repomd><data type="primary"><checksum type="sha256">zz');
    const err = await syncRepo({ store, repo: 'r', from: [`${http.url}/repo`] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_REPODATA_INVALID', message: expect.stringContaining(`${http.url}/repo/repodata/repomd.xml`) });
    await expectNothingPublished('r');
  });

  it('fails on malformed primary XML', async () => {
    await makeRepo(join(web, 'repo'), [pkg('alpha')]);
    await editPrimary(join(web, 'repo'), (xml) => xml.replace('<name>alpha</name>', '<name>alpha</nam>'));
    const err = await syncRepo({ store, repo: 'r', from: [`${http.url}/repo`] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_REPODATA_INVALID', message: expect.stringContaining('primary.xml') });
    await expectNothingPublished('r');
  });

  it('fails when primary.xml does not match repomd.xml (checksum)', async () => {
    await makeRepo(join(web, 'repo'), [pkg('alpha')]);
    const names = await readdir(join(web, 'repo', 'repodata'));
    const primary = names.find((n) => n.endsWith('-primary.xml.gz'))!;
    http.faults.set(`/repo/repodata/${primary}`, { corrupt: true });
    const err = await syncRepo({ store, repo: 'r', from: [`${http.url}/repo`], retries: 0 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_CHECKSUM_MISMATCH', message: expect.stringContaining(`/repo/repodata/${primary}`) });
    await expectNothingPublished('r');
  });

  it('fails on a package whose checksum does not match, storing nothing of it', async () => {
    await makeRepo(join(web, 'repo'), [pkg('alpha'), pkg('beta')]);
    http.faults.set('/repo/Packages/beta-1.0-1.noarch.rpm', { corrupt: true });
    const err = await syncRepo({ store, repo: 'r', from: [`${http.url}/repo`], retries: 0, workers: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_CHECKSUM_MISMATCH', message: expect.stringContaining(`${http.url}/repo/Packages/beta-1.0-1.noarch.rpm`) });
    await expectNothingPublished('r');
    expect((await poolFiles()).some((f) => f.endsWith('beta-1.0-1.noarch.rpm'))).toBe(false);
    expect((await poolFiles()).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('fails on a truncated package download', async () => {
    await makeRepo(join(web, 'repo'), [pkg('alpha')]);
    http.faults.set('/repo/Packages/alpha-1.0-1.noarch.rpm', { truncateAt: 100 });
    const err = await syncRepo({ store, repo: 'r', from: [`${http.url}/repo`], retries: 1 }).catch((e: unknown) => e);
    expect((err as { code: string }).code).toMatch(/^E_(FETCH|SIZE_MISMATCH)$/);
    expect((err as Error).message).toContain('alpha-1.0-1.noarch.rpm');
    await expectNothingPublished('r');
  });

  it('fails on a package missing upstream, and leaves the previous snapshot as latest', async () => {
    await makeRepo(join(web, 'repo'), [pkg('alpha')]);
    const first = await syncRepo({ store, repo: 'r', from: [`${http.url}/repo`] });
    await makeRepo(join(web, 'repo'), [pkg('beta')]);
    http.faults.set('/repo/Packages/beta-1.0-1.noarch.rpm', { status: 404 });
    const err = await syncRepo({ store, repo: 'r', from: [`${http.url}/repo`] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_FETCH', message: expect.stringContaining(`${http.url}/repo/Packages/beta-1.0-1.noarch.rpm failed: HTTP 404 Not Found`) });
    await expectNothingPublished('r', [first.snapshot!]);
  });

  it('fails on a local package that differs from its metadata', async () => {
    const src = await makeRepo(join(dir, 'src'), [pkg('alpha')]);
    const file = join(src, 'Packages', 'alpha-1.0-1.noarch.rpm');
    const bytes = await readFile(file);
    bytes[bytes.length - 1] ^= 0xff;
    await writeFile(file, bytes);
    const err = await syncRepo({ store, repo: 'r', from: [src] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_CHECKSUM_MISMATCH', message: expect.stringContaining('alpha-1.0-1.noarch.rpm') });
    await expectNothingPublished('r');
  });

  it.each([
    ['a parent directory', '../../../../etc/passwd.rpm'],
    ['an absolute path', '/etc/passwd.rpm'],
    ['an encoded parent', '%2e%2e/%2e%2e/x.rpm'],
    ['a backslash', '..\\..\\x.rpm'],
    ['an absolute URL', 'file:///etc/passwd.rpm'],
    ['a dot file', 'Packages/.hidden.rpm'],
    ['a non-rpm name', 'Packages/x.sh'],
  ])('refuses a package href with %s', async (_label, href) => {
    await makeRepo(join(web, 'repo'), [pkg('alpha')]);
    await editPrimary(join(web, 'repo'), (xml) => xml.replace(/<location href="[^"]+"\/>/, `<location href="${href.replace(/&/g, '&amp;')}"/>`));
    const err = await syncRepo({ store, repo: 'r', from: [`${http.url}/repo`] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_UNSAFE_PATH' });
    expect((err as Error).message).toContain('primary.xml');
    await expectNothingPublished('r');
    expect(await poolFiles()).toEqual([]);
  });

  it('refuses a location xml:base that points a remote repo at local files', async () => {
    await makeRepo(join(web, 'repo'), [pkg('alpha')]);
    await editPrimary(join(web, 'repo'), (xml) => xml.replace(/<location href="([^"]+)"\/>/, '<location xml:base="file:///etc/" href="$1"/>'));
    const err = await syncRepo({ store, repo: 'r', from: [`${http.url}/repo`] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_UNSAFE_PATH' });
  });

  it('refuses a metadata href outside repodata/', async () => {
    await makeRepo(join(web, 'repo'), [pkg('alpha')]);
    const path = join(web, 'repo', 'repodata', 'repomd.xml');
    await writeFile(path, (await readFile(path, 'utf8')).replace(/<location href="repodata\/([^"]+-primary\.xml\.gz)"\/>/, '<location href="../../$1"/>'));
    const err = await syncRepo({ store, repo: 'r', from: [`${http.url}/repo`] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_UNSAFE_PATH' });
  });

  it('refuses invalid repo names before touching the store', async () => {
    for (const repo of ['../evil', 'a/b', '.hidden', 'all_latest.json', '']) {
      await expect(syncRepo({ store, repo, from: [web] })).rejects.toMatchObject({ code: 'E_USAGE' });
    }
    await expect(readdir(store)).rejects.toThrow();
  });
});
