import { appendFile, chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { captureOutput } from '@oclif/test';
import { checkSignature, createS3Client, ErrorCodes, isOvirtRepoError, loadConfig, type S3Client } from '@ovirt-repo/core';
import { describeWithS3, describeWithTools, gpgcheckDnf, makeGpgHome, makeTempDir, s3TestClientSettings, s3TestPrefix, type S3TestServer, type TestGpgHome, type TestGpgKey } from '@ovirt-repo/test-support';
import Show from '../src/commands/snapshot/show.js';
import { openStore, readLatest, startStoreServer, syncRepo, verifySnapshot, type SyncOptions } from '../src/index.js';
import { S3Store } from '../src/lib/store/s3/s3-store.js';
import { syncAllRepos } from '../src/lib/sync/sync-all.js';
import { ensurePluginBuilt, pluginRoot } from './helpers/built.js';
import { runChild, waitForFile } from './helpers/child.js';
import { ovirtRepo, runJson } from './helpers/commands.js';
import { makeRepo, pkg } from './helpers/fixtures.js';
import { expectLatestVerifies, leftovers, snapshotIds } from './helpers/store-checks.js';

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!isOvirtRepoError(e)) throw new Error(`expected an OvirtRepoError, got ${String(e)}`);
  return { code: e.code, message: e.message };
}

/** A snapshot's repomd.xml.asc checked against its own RPM-GPG-KEY by gpg: what a repo_gpgcheck=1 client given that key sees. */
async function snapshotSignature(store: string, repo: string, id: string): Promise<{ good: boolean; fingerprints: string[] }> {
  const dir = join(store, 'yum', repo, id);
  const check = await checkSignature(await readFile(join(dir, 'repodata', 'repomd.xml')), await readFile(join(dir, 'repodata', 'repomd.xml.asc'), 'utf8'), await readFile(join(dir, 'RPM-GPG-KEY'), 'utf8'), process.env);
  return { good: check.good, fingerprints: check.fingerprints };
}

describeWithTools(['gpg', 'createrepo_c', 'dnf', 'rpm'], 'mirror sync --sign-key / --sign-command: signed snapshots (real gpg, dnf with repo_gpgcheck=1)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let gpg: TestGpgHome;
  let rsa: TestGpgKey;
  let ed: TestGpgKey;
  let v1: string;
  let v2: string;
  let client: ReturnType<typeof gpgcheckDnf>;
  const sync = (o: SyncOptions) => syncRepo({ env: gpg.env, ...o });

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir('ovr-ssign-'));
    gpg = await makeGpgHome(dir);
    rsa = await gpg.makeKey('rsa3072', 'Mirror RSA <rsa@example.org>');
    ed = await gpg.makeKey('ed25519', 'Mirror Ed25519 <ed@example.org>');
    v1 = await makeRepo(join(dir, 'v1'), [pkg('hello', '1.0'), pkg('tools', '1.0')]);
    v2 = await makeRepo(join(dir, 'v2'), [pkg('hello', '2.0'), pkg('tools', '1.0')]);
    client = gpgcheckDnf(join(dir, 'dnf'));
  });
  afterAll(async () => {
    await gpg.close();
    await cleanup();
  });

  it.each([
    ['RSA', () => rsa],
    ['Ed25519', () => ed],
  ])('--sign-key with an %s key: dnf with repo_gpgcheck=1 installs from the snapshot and through latest, served by mirror serve; it refuses an altered repomd.xml', async (kind, key) => {
    const store = join(dir, `store-${kind}`);
    const first = await sync({ store, repo: 'el9', from: [v1], sign: { key: key().fingerprint } });
    expect(first.signature).toEqual({ fingerprint: key().fingerprint, publicKey: 'RPM-GPG-KEY' });
    const snapshot = join(store, 'yum', 'el9', first.snapshot!);
    expect(await readFile(join(snapshot, 'RPM-GPG-KEY'), 'utf8')).toBe(await readFile(key().publicKeyFile, 'utf8'));
    expect(await snapshotSignature(store, 'el9', first.snapshot!)).toEqual({ good: true, fingerprints: [key().fingerprint] });

    const server = await startStoreServer({ root: store, port: 0 });
    try {
      expect(await client.install(`${server.url}/yum/el9/${first.snapshot}/`, key().publicKeyFile, 'hello', 'hello')).toBe('hello-1.0-1.noarch');

      // Through latest: the index names the new snapshot, whose key is served beside its repodata/.
      const second = await sync({ store, repo: 'el9', from: [v2], sign: { key: key().fingerprint }, baseUrl: server.url });
      const index = (await (await fetch(`${server.url}/yum/all_latest.json`)).json()) as { latest_ci_repos: Record<string, string> };
      const latestUrl = index.latest_ci_repos.el9!;
      expect(latestUrl).toBe(`${server.url}/yum/el9/${second.snapshot}`);
      const servedKey = join(dir, `served-${kind}.asc`);
      await writeFile(servedKey, await (await fetch(`${latestUrl}/RPM-GPG-KEY`)).text());
      expect(await client.install(latestUrl, servedKey, 'hello', 'hello')).toBe('hello-2.0-1.noarch');

      const repomd = join(store, 'yum', 'el9', second.snapshot!, 'repodata', 'repomd.xml');
      await chmod(repomd, 0o644);
      await appendFile(repomd, '<!-- altered -->\n');
      expect(await client.read(latestUrl, servedKey)).toEqual({ ok: false, error: expect.stringContaining('GPG signature verification error') });
    } finally {
      await server.close();
    }
  });

  it('a signed sync with nothing changed writes nothing when latest is signed by its key, and a new signed snapshot when latest is unsigned or signed by another key; an unsigned sync keeps a signed latest until the content changes', async () => {
    const store = join(dir, 'store-resign');
    const unsigned = await sync({ store, repo: 'el9', from: [v1] });
    expect(unsigned.signature).toBeUndefined();
    expect(existsSync(join(store, 'yum', 'el9', unsigned.snapshot!, 'repodata', 'repomd.xml.asc'))).toBe(false);

    const signed = await sync({ store, repo: 'el9', from: [v1], sign: { key: rsa.fingerprint } });
    expect(signed).toMatchObject({ changed: true, previous: unsigned.snapshot, added: 0, removed: 0, packages: 2, signature: { fingerprint: rsa.fingerprint } });

    const again = await sync({ store, repo: 'el9', from: [v1], sign: { key: rsa.fingerprint } });
    expect(again).toMatchObject({ changed: false, snapshot: signed.snapshot, signature: { fingerprint: rsa.fingerprint } });

    const rotated = await sync({ store, repo: 'el9', from: [v1], sign: { key: ed.fingerprint } });
    expect(rotated).toMatchObject({ changed: true, previous: signed.snapshot, added: 0, removed: 0, signature: { fingerprint: ed.fingerprint } });
    expect(await snapshotSignature(store, 'el9', rotated.snapshot!)).toEqual({ good: true, fingerprints: [ed.fingerprint] });

    const plain = await sync({ store, repo: 'el9', from: [v1] });
    expect(plain).toMatchObject({ changed: false, snapshot: rotated.snapshot });
    const changed = await sync({ store, repo: 'el9', from: [v2] });
    expect(changed.changed).toBe(true);
    expect(changed.signature).toBeUndefined();
    expect(existsSync(join(store, 'yum', 'el9', changed.snapshot!, 'RPM-GPG-KEY'))).toBe(false);
    expect(await snapshotIds(store, 'el9')).toEqual([unsigned.snapshot, signed.snapshot, rotated.snapshot, changed.snapshot]);

    // snapshot show says who signed, in --json and in text.
    const shown = await runJson<{ signature: unknown }>(Show, ['el9', rotated.snapshot!, '--store', store]);
    expect(shown.out.signature).toEqual({ fingerprint: ed.fingerprint, publicKey: 'RPM-GPG-KEY' });
    expect((await runJson<{ signature: unknown }>(Show, ['el9', 'latest', '--store', store])).out.signature).toBeNull();
    const text = await captureOutput(() => Show.run(['el9', rotated.snapshot!, '--store', store], pluginRoot));
    expect(text.stdout).toContain(`Signed:    by key ${ed.fingerprint} (repodata/repomd.xml.asc; public key: RPM-GPG-KEY)`);
    const textUnsigned = await captureOutput(() => Show.run(['el9', unsigned.snapshot!, '--store', store], pluginRoot));
    expect(textUnsigned.stdout).toContain('Signed:    no');
  });

  it('--sign-command with --sign-public-key: a script calling gpg signs the snapshot', async () => {
    const script = join(dir, 'sign-with-gpg.sh');
    await writeFile(script, '#!/bin/sh\nexec gpg --batch --armor --detach-sign --local-user "$1"\n');
    await chmod(script, 0o755);
    const store = join(dir, 'store-command');
    const r = await sync({ store, repo: 'el9', from: [v1], sign: { command: `${script} ${ed.fingerprint}`, publicKeyFile: ed.publicKeyFile } });
    expect(r.signature).toEqual({ fingerprint: ed.fingerprint, publicKey: 'RPM-GPG-KEY' });
    expect(await client.install(`file://${join(store, 'yum', 'el9', r.snapshot!)}/`, join(store, 'yum', 'el9', r.snapshot!, 'RPM-GPG-KEY'), 'tools', 'tools')).toBe('tools-1.0-1.noarch');
  });

  it('snapshot verify checks a signed snapshot\'s repomd.xml.asc against its RPM-GPG-KEY', async () => {
    const store = join(dir, 'store-verify');
    const r = await sync({ store, repo: 'el9', from: [v1], sign: { key: rsa.fingerprint } });
    const layout = await openStore(store);
    expect((await verifySnapshot(layout, 'el9', r.snapshot!)).id).toBe(r.snapshot);
    const asc = join(store, 'yum', 'el9', r.snapshot!, 'repodata', 'repomd.xml.asc');
    const good = await readFile(asc, 'utf8');
    await chmod(asc, 0o644);
    await writeFile(asc, good.replace(/\n([A-Za-z0-9+/]{8})/, (_m, w: string) => `\n${w.split('').reverse().join('')}`));
    const bad = await failure(verifySnapshot(layout, 'el9', r.snapshot!));
    expect(bad).toMatchObject({ code: ErrorCodes.VERIFY_FAILED, message: expect.stringContaining('repodata/repomd.xml.asc: does not verify against RPM-GPG-KEY') });
    await rm(asc);
    expect((await failure(verifySnapshot(layout, 'el9', r.snapshot!))).message).toContain('repodata/repomd.xml.asc: is missing (snapshot.json says the snapshot is signed)');
  });

  it('the real binary: usage errors of the sign flags exit 2; --json carries the signature and --help the flags', async () => {
    ensurePluginBuilt();
    const store = join(dir, 'store-binary');
    const lonelyKey = await ovirtRepo(['mirror', 'sync', 'el9', '--from', v1, '--store', store, '--sign-public-key', rsa.publicKeyFile, '--json'], { GNUPGHOME: gpg.home });
    expect([lonelyKey.code, JSON.parse(lonelyKey.stdout).error]).toEqual([2, expect.objectContaining({ code: ErrorCodes.USAGE, message: '--sign-public-key is given but nothing signs' })]);
    const both = await ovirtRepo(['mirror', 'sync', 'el9', '--from', v1, '--store', store, '--sign-key', rsa.fingerprint, '--sign-command', '/bin/true'], { GNUPGHOME: gpg.home });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--sign-command and --sign-key cannot be used together');
    expect(existsSync(store)).toBe(false);
    const signed = await ovirtRepo(['mirror', 'sync', 'el9', '--from', v1, '--store', store, '--sign-key', rsa.fingerprint, '--json'], { GNUPGHOME: gpg.home });
    expect([signed.code, JSON.parse(signed.stdout).signature]).toEqual([0, { fingerprint: rsa.fingerprint, publicKey: 'RPM-GPG-KEY' }]);
    // No colours (CI may force them): flag and value are then one string.
    const help = await ovirtRepo(['mirror', 'sync', '--help'], { FORCE_COLOR: '0' });
    for (const flag of ['--sign-key=KEYID', '--sign-command=CMD', '--sign-public-key=FILE']) expect(help.stdout).toContain(flag);
  });

  describe('a signer that fails commits nothing and says why (E_SIGN)', () => {
    let store: string;
    let first: string;
    const script = async (name: string, body: string) => {
      const file = join(dir, name);
      await writeFile(file, `#!/bin/sh\n${body}\n`);
      await chmod(file, 0o755);
      return file;
    };
    beforeAll(async () => {
      store = join(dir, 'store-failing');
      first = (await sync({ store, repo: 'el9', from: [v1], sign: { key: rsa.fingerprint } })).snapshot!;
    });

    it.each([
      ['exits non-zero', 'cat >/dev/null; echo "HSM offline" >&2; exit 3', 'exit status 3: HSM offline'],
      ['prints garbage', 'cat >/dev/null; echo "signed OK"', 'its output is not one ASCII-armoured signature'],
      ['signs with another key than its public key', 'exec gpg --batch --armor --detach-sign --local-user OTHER_KEY', 'does not verify against its public key'],
    ])('a sign command that %s', async (name, body, said) => {
      const command = await script(`signer-${name.replace(/\s+/g, '-')}.sh`, body.replace('OTHER_KEY', ed.fingerprint));
      const e = await failure(sync({ store, repo: 'el9', from: [v2], sign: { command, publicKeyFile: rsa.publicKeyFile, timeoutMs: 5000 } }));
      expect(e).toMatchObject({ code: ErrorCodes.SIGN, message: expect.stringContaining(said) });
      expect(await snapshotIds(store, 'el9')).toEqual([first]);
      expect(await readLatest(await openStore(store), 'el9')).toBe(first);
      expect(await leftovers(store, 'el9')).toEqual([]);
    });

    it('a --sign-key gpg does not have fails before anything is locked or written', async () => {
      const e = await failure(sync({ store, repo: 'el9', from: [v2], sign: { key: 'nobody@example.org' } }));
      expect(e).toMatchObject({ code: ErrorCodes.SIGN, message: expect.stringContaining('gpg has no public key nobody@example.org to export') });
      expect(await snapshotIds(store, 'el9')).toEqual([first]);
    });
  });

  it('each repo of ovirt-repo.yaml is signed with its own key (signKey, signCommand + signPublicKey)', async () => {
    const script = join(dir, 'cfg-sign.sh');
    await writeFile(script, `#!/bin/sh\nexec gpg --batch --armor --detach-sign --local-user ${ed.fingerprint}\n`);
    await chmod(script, 0o755);
    await writeFile(
      join(dir, 'signed.yaml'),
      `store: store-config
repos:
  by-key:
    source: v1
    signKey: "${rsa.fingerprint}"
  by-command:
    source: v1
    signCommand: ${script}
    signPublicKey: ${ed.publicKeyFile}
  plain:
    source: v1
`,
    );
    const saved = process.env.GNUPGHOME;
    process.env.GNUPGHOME = gpg.home;
    try {
      const all = await syncAllRepos(await loadConfig({ file: join(dir, 'signed.yaml') }), {}, {});
      expect(all.results.map((r) => [r.repo, r.signature?.fingerprint])).toEqual([
        ['by-command', ed.fingerprint],
        ['by-key', rsa.fingerprint],
        ['plain', undefined],
      ]);
    } finally {
      if (saved === undefined) delete process.env.GNUPGHOME;
      else process.env.GNUPGHOME = saved;
    }
  });

  describe('SIGKILL never leaves a visible snapshot or latest without its matching signature', () => {
    beforeAll(() => ensurePluginBuilt());

    it.each(['after-sign', 'before-rename', 'before-latest', 'before-cas', 'after-latest'])('killed at %s', async (point) => {
      const store = join(dir, `store-kill-${point}`);
      const first = await sync({ store, repo: 'el9', from: [v1], sign: { key: rsa.fingerprint } });
      const pauseFile = join(dir, `paused-${point}`);
      const run = runChild('sync', { store, repo: 'el9', from: [v2], sign: { key: ed.fingerprint } }, { GNUPGHOME: gpg.home, OVIRT_REPO_TEST_PAUSE_AT: point, OVIRT_REPO_TEST_PAUSE_FILE: pauseFile });
      await waitForFile(pauseFile);
      run.child.kill('SIGKILL');
      expect((await run.done).signal).toBe('SIGKILL');

      const latest = await expectLatestVerifies(store, 'el9');
      // From the history record on (before-cas), the new snapshot is the latest: readers follow the record.
      expect(latest === first.snapshot).toBe(point !== 'before-cas' && point !== 'after-latest');
      // Every snapshot a reader can see carries repomd.xml.asc that verifies against the key beside it.
      for (const id of await snapshotIds(store, 'el9')) expect((await snapshotSignature(store, 'el9', id)).good).toBe(true);
      const next = await sync({ store, repo: 'el9', from: [v2], sign: { key: ed.fingerprint }, lockTimeoutMs: 10_000 });
      expect(next.signature?.fingerprint).toBe(ed.fingerprint);
      expect(await snapshotSignature(store, 'el9', next.snapshot!)).toEqual({ good: true, fingerprints: [ed.fingerprint] });
    });
  });
});

describeWithTools(['gpg', 'createrepo_c', 'dnf', 'rpm'], 'signed snapshots in an s3:// store', () => {
  describeWithS3('signed snapshots in an s3:// store (Ceph RGW)', (server: S3TestServer) => {
    let dir: string;
    let cleanup: () => Promise<void>;
    let gpg: TestGpgHome;
    let key: TestGpgKey;
    let s3: S3Client;
    const prefix = `${s3TestPrefix().replace(/\/$/, '')}/signed`;

    beforeAll(async () => {
      ({ dir, cleanup } = await makeTempDir('ovr-s3sign-'));
      gpg = await makeGpgHome(dir);
      key = await gpg.makeKey('ed25519', 'S3 Mirror <s3@example.org>');
      s3 = createS3Client({ settings: s3TestClientSettings(server) });
    });
    afterAll(async () => {
      for await (const e of s3.list(server.bucket, { prefix: `${prefix}/` })) await s3.delete(server.bucket, e.key);
      s3.close();
      await gpg.close();
      await cleanup();
    });

    it('the signature and the key are committed with the snapshot; dnf with repo_gpgcheck=1 installs from it through mirror serve', async () => {
      const store = new S3Store({ client: s3, bucket: server.bucket, prefix });
      const upstream = await makeRepo(join(dir, 'up'), [pkg('hello', '3.0')]);
      const r = await syncRepo({ store, repo: 'el9', from: [upstream], baseUrl: 'https://repos.example.org/ci', sign: { key: key.fingerprint }, env: gpg.env });
      expect(r.signature).toEqual({ fingerprint: key.fingerprint, publicKey: 'RPM-GPG-KEY' });
      const object = async (name: string) => (await s3.getBytes(server.bucket, `${prefix}/yum/el9/${r.snapshot}/${name}`, 1 << 20))?.data.toString('utf8');
      expect(await object('RPM-GPG-KEY')).toBe(await readFile(key.publicKeyFile, 'utf8'));
      const check = await checkSignature(Buffer.from((await object('repodata/repomd.xml'))!), (await object('repodata/repomd.xml.asc'))!, (await object('RPM-GPG-KEY'))!, process.env);
      expect(check).toMatchObject({ good: true, fingerprints: [key.fingerprint] });
      const served = await startStoreServer({ root: store, port: 0 });
      try {
        expect(await gpgcheckDnf(join(dir, 'dnf')).install(`${served.url}/yum/el9/${r.snapshot}/`, key.publicKeyFile, 'hello', 'hello')).toBe('hello-3.0-1.noarch');
      } finally {
        await served.close();
      }
    });
  });
});
