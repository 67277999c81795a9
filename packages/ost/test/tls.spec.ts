import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureOutput } from '@oclif/test';
import { describeWithTools, makeTempDir, makeTestPki, startTlsNginx, type NginxServer, type TestPki } from '@ovirt-repo/test-support';
import Inject from '../src/commands/inject.js';
import LockVerify from '../src/commands/lock/verify.js';
import type { InjectFilesResult } from '../src/lib/inject.js';
import type { VerifyLockResult } from '../src/lib/lock/verify.js';
import { REPOSYNC_CONFIG } from './fixtures/configs.js';

const pluginRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

interface JsonError {
  error: { code: string; message: string; hint: string };
}

/**
 * A mirror map and snapshots served over https by real nginx with a private CA that requires client
 * certificates: inject and lock verify take --ca-cert, --client-cert and --client-key as mirror sync does.
 */
describeWithTools(['nginx', 'openssl'], 'inject and lock verify over https with a private CA and client certificates (real nginx)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let nginx: NginxServer;
  let pki: TestPki;
  let base: string;
  let exitCode: typeof process.exitCode;

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir('ost-tls-'));
    pki = await makeTestPki(join(dir, 'pki'));
    const snap = join(dir, 'store', 'yum', 'centos-base-el7', 'S1');
    await mkdir(join(snap, 'repodata'), { recursive: true });
    await writeFile(join(snap, 'repodata', 'repomd.xml'), '<repomd/>\n');
    await writeFile(join(dir, 'store', 'yum', 'all_latest.json'), JSON.stringify({ latest_ci_repos: { 'centos-base-el7': 'centos-base-el7/S1' } }));
    nginx = await startTlsNginx(pki, `    location /yum/ { alias ${join(dir, 'store', 'yum')}/; }`, join(dir, 'nginx'), { requireClientCert: true });
    base = `${nginx.url}/yum`;
  });
  afterAll(async () => {
    await nginx?.stop();
    await cleanup?.();
  });
  beforeEach(() => {
    exitCode = process.exitCode;
  });
  afterEach(() => {
    // A failing command sets process.exitCode; the test runner must not inherit it.
    process.exitCode = exitCode;
  });

  const tlsArgs = () => ['--ca-cert', pki.ca, '--client-cert', pki.clientCert, '--client-key', pki.clientKey];

  it('inject reads the map with them, records the snapshot in the lock, and lock verify checks it with them', async () => {
    const config = join(dir, 'ok.repo');
    const lock = join(dir, 'run.lock.json');
    await writeFile(config, REPOSYNC_CONFIG);
    const injected = await captureOutput(() => Inject.run(['--json', '--strict', '--mirrors', `${base}/all_latest.json`, config, '--lock-out', lock, ...tlsArgs()], pluginRoot));
    expect(injected.error).toBeUndefined();
    expect(JSON.parse(injected.stdout) as InjectFilesResult).toMatchObject({ status: 'injected', files: [{ changed: true, injected: [{ section: 'centos-base-el7', url: `${base}/centos-base-el7/S1` }] }], lock: { entries: 1 } });
    expect(await readFile(config, 'utf8')).toContain(`baseurl = ${base}/centos-base-el7/S1\n`);
    // The lock holds the snapshot's repomd.xml digest, which only a client with the certificate could read.
    expect(JSON.parse(await readFile(lock, 'utf8'))).toMatchObject({ entries: [{ repo: 'centos-base-el7', repomd: { size: 10 } }] });

    const verified = await captureOutput(() => LockVerify.run(['--json', lock, ...tlsArgs()], pluginRoot));
    expect(verified.error).toBeUndefined();
    expect(JSON.parse(verified.stdout) as VerifyLockResult).toMatchObject({ ok: true, counts: { unchanged: 1 } });

    const without = await captureOutput(() => LockVerify.run(['--json', lock], pluginRoot));
    const failed = JSON.parse(without.stdout) as JsonError & { error: { data: VerifyLockResult } };
    expect(failed.error.code).toBe('E_VERIFY_FAILED');
    expect(failed.error.data.entries).toMatchObject([{ repo: 'centos-base-el7', status: 'unreachable', error: expect.stringMatching(/certificate/i) }]);
  });

  it('inject --strict without the CA fails naming the map URL and what TLS said, the file unchanged', async () => {
    const config = join(dir, 'refused.repo');
    await writeFile(config, REPOSYNC_CONFIG);
    const r = await captureOutput(() => Inject.run(['--json', '--strict', '--mirrors', `${base}/all_latest.json`, config, '--client-cert', pki.clientCert, '--client-key', pki.clientKey], pluginRoot));
    const out = JSON.parse(r.stdout) as JsonError;
    expect(out.error.code).toBe('E_FETCH');
    expect(out.error.message).toContain(`${base}/all_latest.json`);
    expect(out.error.message).toMatch(/certificate/i);
    expect(out.error.hint).toContain('--ca-cert');
    expect(await readFile(config, 'utf8')).toBe(REPOSYNC_CONFIG);
  });

  it('refuses a CA file that is not PEM without printing it (exit 2)', async () => {
    const secret = join(dir, 'secret.txt');
    await writeFile(secret, 'TOP-SECRET-VALUE\n');
    const r = await captureOutput(() => Inject.run(['--json', '--mirrors', `${base}/all_latest.json`, join(dir, 'ok.repo'), '--ca-cert', secret], pluginRoot));
    expect(r.stdout).not.toContain('TOP-SECRET');
    expect(JSON.parse(r.stdout) as JsonError).toMatchObject({ error: { code: 'E_USAGE', message: expect.stringContaining(`${secret} is not a PEM file`) } });
    expect((r.error as { oclif?: { exit?: number } } | undefined)?.oclif?.exit).toBe(2);
  });
});
