import { appendFile, chmod, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCodes, isOvirtRepoError, type Logger, silentLogger } from '@ovirt-repo/core';
import { describeWithTools, gpgcheckDnf, makeGpgHome, makeTempDir, startNginx, type TestGpgHome, type TestGpgKey } from '@ovirt-repo/test-support';
import { publish, type PublishOptions } from '../src/lib/publish.js';
import { checkRepo, makeRepo, rpmSpec, treeDigest } from './helpers/repos.js';

const DAY = 86_400_000;
const at = (days: number) => new Date(Date.parse('2030-01-01T00:00:00.000Z') + days * DAY);

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string; hint?: string }> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!isOvirtRepoError(e)) throw new Error(`expected an OvirtRepoError, got ${String(e)}`);
  return { code: e.code, message: e.message, hint: e.hint };
}

describeWithTools(['gpg', 'createrepo_c', 'dnf', 'rpm', 'nginx'], 'publish --sign-key / --sign-command (real gpg, real dnf with repo_gpgcheck=1)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let gpg: TestGpgHome;
  let rsa: TestGpgKey;
  let ed: TestGpgKey;
  let v1: string;
  let v2: string;
  let client: ReturnType<typeof gpgcheckDnf>;
  const run = (o: Partial<PublishOptions> & Pick<PublishOptions, 'to'>) => publish({ env: { ...gpg.env, SOURCE_DATE_EPOCH: '1893456000' }, ...o });

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir('ovr-sign-'));
    gpg = await makeGpgHome(dir);
    rsa = await gpg.makeKey('rsa3072', 'Test RSA <rsa@example.org>');
    ed = await gpg.makeKey('ed25519', 'Test Ed25519 <ed@example.org>');
    v1 = await makeRepo(join(dir, 'v1'), [rpmSpec('hello', '1.0'), rpmSpec('tools', '1.0')]);
    v2 = await makeRepo(join(dir, 'v2'), [rpmSpec('hello', '2.0'), rpmSpec('tools', '1.0')]);
    client = gpgcheckDnf(join(dir, 'dnf'));
  });
  afterAll(async () => {
    await gpg.close();
    await cleanup();
  });

  it.each([
    ['RSA', () => rsa],
    ['Ed25519', () => ed],
  ])('--sign-key with an %s key: dnf with repo_gpgcheck=1 installs; after repomd.xml is altered it refuses', async (kind, key) => {
    const dest = join(dir, `dest-${kind}`);
    const url = pathToFileURL(dest).href;
    await run({ from: v1, to: dest, now: at(0), sign: { key: key().fingerprint, publicKeyPath: 'RPM-GPG-KEY-ovirt-tested' } });
    expect(await readFile(join(dest, 'repodata', 'repomd.xml.asc'), 'utf8')).toMatch(/^-----BEGIN PGP SIGNATURE-----/);
    // The key published is the one dnf is given; dnf installs with it.
    expect(await readFile(join(dest, 'RPM-GPG-KEY-ovirt-tested'), 'utf8')).toBe(await readFile(key().publicKeyFile, 'utf8'));
    expect(await client.install(url, join(dest, 'RPM-GPG-KEY-ovirt-tested'), 'hello', 'hello')).toBe('hello-1.0-1.noarch');

    // A new generation is signed too, and the signature survives pruning.
    await run({ from: v2, to: dest, now: at(30), sign: { key: key().fingerprint, publicKeyPath: 'RPM-GPG-KEY-ovirt-tested' } });
    expect(await client.install(url, key().publicKeyFile, 'hello', 'hello')).toBe('hello-2.0-1.noarch');

    await appendFile(join(dest, 'repodata', 'repomd.xml'), '<!-- altered -->\n');
    const refused = await client.read(url, key().publicKeyFile);
    expect(refused).toEqual({ ok: false, error: expect.stringContaining('GPG signature verification error') });
  });

  it('served by a real nginx that hides dot files: repomd.xml and its signature are reached through their links, generation after generation', async () => {
    const dest = join(dir, 'dest-nginx');
    await run({ from: v1, to: dest, now: at(0), sign: { key: ed.fingerprint } });
    // A common site rule: no URL under a dot directory. The pair lives in .ovirt-repo/repomd/, reached
    // only through repodata/'s links, which nginx follows on the file system.
    const nginx = await startNginx({ '/pub/': { dir: dest, extra: '      location ~ /\\. { deny all; }' } }, join(dir, 'nginx'));
    try {
      const url = `${nginx.url}/pub/`;
      expect((await fetch(`${url}.ovirt-repo/publish-history.json`)).status).toBe(403);
      expect(await client.install(url, ed.publicKeyFile, 'hello', 'hello')).toBe('hello-1.0-1.noarch');
      await run({ from: v2, to: dest, now: at(1), sign: { key: ed.fingerprint } });
      expect(await client.install(url, ed.publicKeyFile, 'hello', 'hello')).toBe('hello-2.0-1.noarch');
    } finally {
      await nginx.stop();
    }
  });

  it('an unsigned destination becomes signed on the next signed run even when nothing else changes', async () => {
    const dest = join(dir, 'dest-later');
    const url = pathToFileURL(dest).href;
    await run({ from: v1, to: dest, now: at(0) });
    expect(await client.read(url, rsa.publicKeyFile)).toEqual({ ok: false, error: expect.stringContaining('GPG signature is not available') });
    const r = await run({ from: v1, to: dest, now: at(0), sign: { key: rsa.fingerprint } });
    expect(r.changed).toBe(false);
    expect(r.notes).toContain(`signed the live repomd.xml with gpg key ${rsa.fingerprint}`);
    expect(await client.read(url, rsa.publicKeyFile)).toEqual({ ok: true, error: '' });
    // Signed and unchanged: nothing is written again.
    const before = await treeDigest(dest);
    const again = await run({ from: v1, to: dest, now: at(0), sign: { key: rsa.fingerprint } });
    expect(again.notes).toEqual([]);
    expect(await treeDigest(dest)).toEqual(before);
  });

  it('signing with another key re-signs an unchanged repository (key rotation)', async () => {
    const dest = join(dir, 'dest-rotate');
    const url = pathToFileURL(dest).href;
    await run({ from: v1, to: dest, now: at(0), sign: { key: rsa.fingerprint } });
    await run({ from: v1, to: dest, now: at(0), sign: { key: ed.fingerprint } });
    expect(await client.read(url, ed.publicKeyFile)).toEqual({ ok: true, error: '' });
    expect((await client.read(url, rsa.publicKeyFile)).ok).toBe(false);
  });

  it('an unsigned publish over a signed destination removes the old signature first, with a warning', async () => {
    const dest = join(dir, 'dest-unsign');
    await run({ from: v1, to: dest, now: at(0), sign: { key: rsa.fingerprint } });
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (m: string) => void warnings.push(m) };
    await run({ from: v2, to: dest, now: at(1), logger });
    expect(existsSync(join(dest, 'repodata', 'repomd.xml.asc'))).toBe(false);
    expect(warnings).toEqual([expect.stringContaining('removing the signature of the previous repomd.xml, since this publish is not signed')]);
    expect(await checkRepo(dest)).toEqual(['hello-1.0-1.noarch', 'hello-2.0-1.noarch', 'tools-1.0-1.noarch']);
  });

  it('--sign-command: a small script that calls gpg signs what dnf installs from', async () => {
    const script = join(dir, 'sign-with-gpg.sh');
    await writeFile(script, '#!/bin/sh\n# stdin: repomd.xml; stdout: its armoured detached signature\nexec gpg --batch --armor --detach-sign --local-user "$1"\n');
    await chmod(script, 0o755);
    const dest = join(dir, 'dest-command');
    await run({ from: v1, to: dest, now: at(0), sign: { command: `${script} ${ed.fingerprint}`, publicKeyFile: ed.publicKeyFile, publicKeyPath: 'keys/RPM-GPG-KEY' } });
    expect(await readFile(join(dest, 'keys', 'RPM-GPG-KEY'), 'utf8')).toBe(await readFile(ed.publicKeyFile, 'utf8'));
    expect(await client.install(pathToFileURL(dest).href, join(dest, 'keys', 'RPM-GPG-KEY'), 'tools', 'tools')).toBe('tools-1.0-1.noarch');
  });

  describe('a signer that fails publishes nothing and says why', () => {
    const signer = async (name: string, body: string) => {
      const file = join(dir, name);
      await writeFile(file, `#!/bin/sh\n${body}\n`);
      await chmod(file, 0o755);
      return file;
    };
    let signed: string;
    let before: Record<string, string>;
    beforeAll(async () => {
      signed = join(dir, 'dest-failing');
      await run({ from: v1, to: signed, now: at(0), sign: { key: rsa.fingerprint } });
      before = await treeDigest(signed);
    });

    it.each([
      ['fails', 'cat >/dev/null; echo "HSM offline: slot 2 not found" >&2; exit 3', 'failed: exit status 3: HSM offline: slot 2 not found'],
      ['is silent', 'cat >/dev/null; exit 0', 'failed: it wrote nothing'],
      ['prints no signature', 'cat >/dev/null; echo "signed OK"', 'its output is not one ASCII-armoured signature'],
      ['hangs', 'sleep 30', 'no answer within 1 s (killed)'],
      ['writes without end', 'cat >/dev/null; yes', 'it wrote more than a signature can be (killed)'],
    ])('a signer that %s', async (name, body, said) => {
      const command = await signer(`signer-${name.replace(/\s+/g, '-')}.sh`, body);
      const fresh = join(dir, `dest-never-${name.replace(/\s+/g, '-')}`);
      const onFresh = await failure(run({ from: v1, to: fresh, now: at(0), sign: { command, publicKeyFile: rsa.publicKeyFile, timeoutMs: 1000 } }));
      expect(onFresh).toMatchObject({ code: ErrorCodes.SIGN, message: expect.stringContaining(said) });
      expect(onFresh.message).toContain(`the sign command "${command}"`);
      expect(onFresh.message).toContain('nothing was published');
      expect(existsSync(fresh)).toBe(false);
      const onSigned = await failure(run({ from: v2, to: signed, now: at(1), sign: { command, publicKeyFile: rsa.publicKeyFile, timeoutMs: 1000 } }));
      expect(onSigned.code).toBe(ErrorCodes.SIGN);
      expect(await treeDigest(signed)).toEqual(before);
    });

    it('a signature by another key than the one given is refused before anything is written', async () => {
      const command = await signer('signer-other-key.sh', `exec gpg --batch --armor --detach-sign --local-user ${ed.fingerprint}`);
      const e = await failure(run({ from: v2, to: signed, now: at(1), sign: { command, publicKeyFile: rsa.publicKeyFile } }));
      expect(e).toMatchObject({ code: ErrorCodes.SIGN, message: expect.stringContaining('does not verify against its public key') });
      expect(await treeDigest(signed)).toEqual(before);
    });

    it('an unknown --sign-key is refused before the destination is touched', async () => {
      const e = await failure(run({ from: v2, to: signed, now: at(1), sign: { key: 'nobody@example.org' } }));
      expect(e).toMatchObject({ code: ErrorCodes.SIGN, message: expect.stringContaining('gpg has no public key nobody@example.org to export') });
      expect(await treeDigest(signed)).toEqual(before);
    });
  });

  it('refuses a public key path inside what publish manages, a key id that is an option, and a command without its public key', async () => {
    const dest = join(dir, 'dest-usage');
    expect(await failure(run({ from: v1, to: dest, sign: { key: rsa.fingerprint, publicKeyPath: 'repodata/key.asc' } }))).toMatchObject({
      code: ErrorCodes.USAGE,
      message: expect.stringContaining('inside repodata/, which publish manages'),
    });
    expect((await failure(run({ from: v1, to: dest, sign: { key: rsa.fingerprint, publicKeyPath: '../outside' } }))).code).toBe(ErrorCodes.UNSAFE_PATH);
    expect((await failure(run({ from: v1, to: dest, sign: { key: '--homedir=/tmp' } }))).code).toBe(ErrorCodes.USAGE);
    expect(await failure(run({ from: v1, to: dest, sign: { command: 'cat' } }))).toMatchObject({ code: ErrorCodes.USAGE, message: expect.stringContaining('needs --sign-public-key') });
    expect(existsSync(dest)).toBe(false);
  });
});
