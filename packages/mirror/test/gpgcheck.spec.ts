import { execFile } from 'node:child_process';
import { access, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeRpm, type RpmSpec } from '@ovirt-repo/rpm-writer';
import { describeWithTools, makeGpgHome, makeTempDir, type TestGpgHome, type TestGpgKey } from '@ovirt-repo/test-support';
import Sync from '../src/commands/mirror/sync.js';
import { syncRepo } from '../src/index.js';
import { runJson } from './helpers/commands.js';
import { pkg } from './helpers/fixtures.js';
import { startHttpSource, type HttpSource } from './helpers/http-source.js';

const run = promisify(execFile);

type Signing = 'rsa' | 'ed' | 'rsa-legacy' | 'other' | 'unsigned' | 'tampered';

describeWithTools(['gpg', 'rpmsign', 'rpmkeys', 'createrepo_c'], 'mirror sync --gpgcheck / --repo-gpgcheck (real gpg, rpmsign, rpmkeys)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let gpg: TestGpgHome;
  let rsa: TestGpgKey;
  let ed: TestGpgKey;
  let other: TestGpgKey;
  let http: HttpSource;
  let n = 0;

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir('gpgck-'));
    gpg = await makeGpgHome(dir);
    rsa = await gpg.makeKey('rsa3072', 'RSA Signer <rsa@example.org>');
    ed = await gpg.makeKey('ed25519', 'Ed Signer <ed@example.org>');
    other = await gpg.makeKey('rsa3072', 'Other Signer <other@example.org>');
    http = await startHttpSource(dir);
  }, 120_000);
  afterAll(async () => {
    await http.close();
    await gpg.close();
    await cleanup();
  });

  /** A repo of these packages, each signed as asked before createrepo_c (so its metadata matches the file). */
  async function signedRepo(packages: Array<[RpmSpec, Signing]>): Promise<string> {
    const repo = join(dir, `repo${n++}`);
    const pkgDir = join(repo, 'Packages');
    await mkdir(pkgDir, { recursive: true });
    for (const [spec, how] of packages) {
      const file = await writeRpm(spec, pkgDir);
      if (how === 'unsigned') continue;
      const uid = how === 'ed' ? ed.uid : how === 'other' ? other.uid : rsa.uid;
      await gpg.signRpm(file, uid, { headerAndPayload: how === 'rsa-legacy' });
      if (how === 'tampered') {
        const bytes = await readFile(file);
        bytes[bytes.length - 20] ^= 0xff;
        await writeFile(file, bytes);
      }
    }
    await run('createrepo_c', ['--quiet', repo]);
    return repo;
  }
  const newStore = () => join(dir, `store${n++}`);
  const keyId = (k: TestGpgKey) => k.fingerprint.slice(-8).toLowerCase();
  const latestOf = (store: string, repo: string) => readFile(join(store, 'yum', repo, 'latest.txt'), 'utf8').then((t) => t.trim(), () => undefined);
  const poolFiles = async (store: string): Promise<string[]> => {
    const out: string[] = [];
    const walk = async (d: string): Promise<void> => {
      for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
        if (e.isDirectory()) await walk(join(d, e.name));
        else out.push(e.name);
      }
    };
    await walk(join(store, 'pool'));
    return out;
  };

  it('accepts RSA and Ed25519 header-only signatures and the header+payload one, and records the keys in the snapshot', async () => {
    const repo = await signedRepo([
      [pkg('alpha'), 'rsa'],
      [pkg('beta'), 'ed'],
      [pkg('gamma'), 'rsa-legacy'],
    ]);
    const store = newStore();
    const result = await syncRepo({ store, repo: 'signed', from: [repo], verify: { gpgcheck: true, gpgKeys: [rsa.publicKeyFile, ed.publicKeyFile] }, writeIndex: false });
    expect(result).toMatchObject({ changed: true, packages: 3 });
    const head = JSON.parse((await readFile(join(store, 'yum', 'signed', result.snapshot as string, 'snapshot.json'), 'utf8')).split('\n')[0] + ']}') as { gpgcheck?: { keys: string[] } };
    expect(head.gpgcheck?.keys).toEqual(expect.arrayContaining([rsa.fingerprint, ed.fingerprint]));
  });

  it.each([
    ['unsigned', 'unsigned' as const, /hello-1\.0-1\.noarch \(http:\/\/127\.0\.0\.1:\d+\/repo\d+\/Packages\/hello-1\.0-1\.noarch\.rpm\) is not signed/],
    ['signed by a key not given', 'other' as const, /hello-1\.0-1\.noarch \(http:.*\) is signed by key ID OTHER, which is not one of the keys given \(expected key ID RSA\)/],
    ['changed after signing', 'tampered' as const, /hello-1\.0-1\.noarch \(http:.*\) has a BAD signature or digest/],
  ])('refuses a package %s, naming it, the key found and the keys expected; nothing is published', async (_what, how, message) => {
    const repo = await signedRepo([
      [pkg('alpha'), 'rsa'],
      [pkg('hello'), how],
    ]);
    const store = newStore();
    const url = `${http.url}/${repo.slice(dir.length + 1)}/`;
    const expected = new RegExp(message.source.replace('OTHER', keyId(other)).replace('RSA', keyId(rsa)));
    await expect(syncRepo({ store, repo: 'r', from: [url], verify: { gpgcheck: true, gpgKeys: [rsa.publicKeyFile] }, writeIndex: false })).rejects.toMatchObject({ code: 'E_GPGCHECK', message: expect.stringMatching(expected) });
    expect(await latestOf(store, 'r')).toBeUndefined();
    expect((await poolFiles(store)).filter((f) => f.startsWith('hello'))).toEqual([]);
  });

  it('checks a package the pool already holds (another repo fetched it) that no snapshot vouched for', async () => {
    const repo = await signedRepo([[pkg('hello'), 'unsigned']]);
    const store = newStore();
    await syncRepo({ store, repo: 'unchecked', from: [repo], writeIndex: false });
    expect((await poolFiles(store)).filter((f) => f.startsWith('hello'))).toHaveLength(1);
    await expect(syncRepo({ store, repo: 'checked', from: [repo], verify: { gpgcheck: true, gpgKeys: [rsa.publicKeyFile] }, writeIndex: false })).rejects.toMatchObject({
      code: 'E_GPGCHECK',
      message: expect.stringMatching(/hello-1\.0-1\.noarch .* is not signed/),
    });
    expect(await latestOf(store, 'checked')).toBeUndefined();
  });

  it('--gpgcheck without a key is a usage error', async () => {
    const repo = await signedRepo([[pkg('alpha'), 'rsa']]);
    await expect(syncRepo({ store: newStore(), repo: 'r', from: [repo], verify: { gpgcheck: true } })).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringMatching(/--gpgcheck needs the public keys/) });
  });

  describe('--repo-gpgcheck', () => {
    const signRepomd = async (repo: string, uid: string) => {
      await run('gpg', ['--batch', '--yes', '--armor', '--detach-sign', '--local-user', uid, '--output', join(repo, 'repodata', 'repomd.xml.asc'), join(repo, 'repodata', 'repomd.xml')], { env: gpg.env });
    };
    const urlOf = (repo: string) => `${http.url}/${repo.slice(dir.length + 1)}/`;

    it('accepts a source whose repomd.xml.asc verifies with a key given', async () => {
      const repo = await signedRepo([[pkg('alpha'), 'unsigned']]);
      await signRepomd(repo, ed.uid);
      const result = await syncRepo({ store: newStore(), repo: 'r', from: [urlOf(repo)], verify: { repoGpgcheck: true, gpgKeys: [rsa.publicKeyFile, ed.publicKeyFile] }, writeIndex: false });
      expect(result).toMatchObject({ changed: true, packages: 1 });
    });

    it('refuses a source without repomd.xml.asc, naming the URL, before reading its primary', async () => {
      const repo = await signedRepo([[pkg('alpha'), 'unsigned']]);
      const store = newStore();
      const before = http.requests.length;
      await expect(syncRepo({ store, repo: 'r', from: [urlOf(repo)], verify: { repoGpgcheck: true, gpgKeys: [rsa.publicKeyFile] }, writeIndex: false })).rejects.toMatchObject({
        code: 'E_GPGCHECK',
        message: expect.stringMatching(new RegExp(`${urlOf(repo)}repodata/repomd\\.xml\\.asc is missing`)),
      });
      expect(http.requests.slice(before).filter((p) => /primary|\.rpm$/.test(p))).toEqual([]);
      expect(await latestOf(store, 'r')).toBeUndefined();
    });

    it('refuses a local (file://) source without repomd.xml.asc the same way', async () => {
      const repo = await signedRepo([[pkg('alpha'), 'unsigned']]);
      await expect(syncRepo({ store: newStore(), repo: 'r', from: [`file://${repo}/`], verify: { repoGpgcheck: true, gpgKeys: [rsa.publicKeyFile] }, writeIndex: false })).rejects.toMatchObject({
        code: 'E_GPGCHECK',
        message: expect.stringContaining(`file://${repo}/repodata/repomd.xml.asc is missing`),
      });
    });

    it('refuses a source whose repomd.xml.asc does not match (another key; repomd.xml changed after signing)', async () => {
      const repo = await signedRepo([[pkg('alpha'), 'unsigned']]);
      await signRepomd(repo, other.uid);
      const options = { store: newStore(), repo: 'r', from: [urlOf(repo)], verify: { repoGpgcheck: true, gpgKeys: [rsa.publicKeyFile] }, writeIndex: false };
      await expect(syncRepo(options)).rejects.toMatchObject({ code: 'E_GPGCHECK', message: expect.stringMatching(/repomd\.xml\.asc does not verify .*repomd\.xml with any of the keys given/) });
      await signRepomd(repo, rsa.uid);
      const repomd = join(repo, 'repodata', 'repomd.xml');
      await writeFile(repomd, (await readFile(repomd, 'utf8')).replace('<revision>', '<revision>1'));
      await expect(syncRepo(options)).rejects.toMatchObject({ code: 'E_GPGCHECK', message: expect.stringMatching(/does not verify/) });
    });
  });

  describe('a yum/reposync config section', () => {
    it('takes gpgcheck=1 and gpgkey= (several: a file:// URL, a path relative to the config); a flag overrides', async () => {
      const repo = await signedRepo([[pkg('hello'), 'other']]);
      const conf = join(dir, `mirrors-${n++}.conf`);
      await writeFile(join(dir, 'ed.asc'), await readFile(ed.publicKeyFile));
      await writeFile(conf, `[el9]\nbaseurl=file://${repo}/\ngpgcheck=1\ngpgkey=file://${rsa.publicKeyFile},\n  ed.asc\n`);
      await expect(syncRepo({ store: newStore(), repo: 'el9', config: { file: conf }, writeIndex: false })).rejects.toMatchObject({ code: 'E_GPGCHECK', message: expect.stringContaining(`key ID ${keyId(other)}`) });
      const result = await syncRepo({ store: newStore(), repo: 'el9', config: { file: conf }, verify: { gpgKeys: [other.publicKeyFile] }, writeIndex: false });
      expect(result).toMatchObject({ changed: true, packages: 1 });
      const off = await syncRepo({ store: newStore(), repo: 'el9', config: { file: conf }, verify: { gpgcheck: false }, writeIndex: false });
      expect(off).toMatchObject({ changed: true, packages: 1 });
    });

    it('refuses a gpgcheck value that is not a boolean', async () => {
      const conf = join(dir, `mirrors-${n++}.conf`);
      await writeFile(conf, `[el9]\nbaseurl=file://${dir}/\ngpgcheck=maybe\n`);
      await expect(syncRepo({ store: newStore(), repo: 'el9', config: { file: conf } })).rejects.toMatchObject({ code: 'E_CONFIG_INVALID', message: expect.stringContaining('gpgcheck must be 1 or 0') });
    });
  });

  describe('the command (--json) and ovirt-repo.yaml', () => {
    type Failure = { error: { code: string; message: string } };
    const saved = process.env.OVIRT_REPO_CONFIG;
    afterAll(() => {
      if (saved === undefined) delete process.env.OVIRT_REPO_CONFIG;
      else process.env.OVIRT_REPO_CONFIG = saved;
    });

    it('--gpgcheck without --gpg-key exits 2 with E_USAGE; a refused package exits 1 with E_GPGCHECK', async () => {
      const repo = await signedRepo([[pkg('hello'), 'unsigned']]);
      const store = newStore();
      const usage = await runJson<Failure>(Sync, ['r', '--from', repo, '--store', store, '--gpgcheck']);
      expect(usage.exitCode).toBe(2);
      expect(usage.out.error.code).toBe('E_USAGE');
      const refused = await runJson<Failure>(Sync, ['r', '--from', repo, '--store', store, '--gpgcheck', '--gpg-key', rsa.publicKeyFile]);
      expect(refused.exitCode).toBe(1);
      expect(refused.out.error).toMatchObject({ code: 'E_GPGCHECK', message: expect.stringMatching(/hello-1\.0-1\.noarch .* is not signed/) });
    });

    it('takes gpgcheck and gpgKeys (relative to the file) from a repo of ovirt-repo.yaml; --no-gpgcheck overrides', async () => {
      const repo = await signedRepo([[pkg('hello'), 'other']]);
      const conf = join(dir, `yaml${n++}`);
      await mkdir(conf);
      await writeFile(join(conf, 'key.asc'), await readFile(rsa.publicKeyFile));
      await writeFile(join(conf, 'ovirt-repo.yaml'), `store: store\nrepos:\n  el9:\n    source: ${repo}\n    gpgcheck: true\n    gpgKeys: [key.asc]\n`);
      process.env.OVIRT_REPO_CONFIG = join(conf, 'ovirt-repo.yaml');
      const refused = await runJson<Failure>(Sync, ['el9']);
      expect(refused.out.error).toMatchObject({ code: 'E_GPGCHECK', message: expect.stringContaining(`key ID ${keyId(other)}, which is not one of the keys given (expected key ID ${keyId(rsa)})`) });
      const off = await runJson<{ changed: boolean }>(Sync, ['el9', '--no-gpgcheck']);
      expect(off).toMatchObject({ exitCode: 0, out: { changed: true } });
    });
  });

  it('leaves no scratch copies behind', async () => {
    const repo = await signedRepo([[pkg('alpha'), 'rsa']]);
    const store = newStore();
    await syncRepo({ store, repo: 'r', from: [repo], verify: { gpgcheck: true, gpgKeys: [rsa.publicKeyFile] }, writeIndex: false });
    await expect(access(join(store, 'yum', 'r', 'latest.txt'))).resolves.toBeUndefined();
    expect(await poolFiles(store)).toEqual(['alpha-1.0-1.noarch.rpm']);
  });
});
