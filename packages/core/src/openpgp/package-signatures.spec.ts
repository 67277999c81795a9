import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildRpm } from '@ovirt-repo/rpm-writer';
import { describeWithTools, makeGpgHome, makeTempDir, type TestGpgHome, type TestGpgKey } from '@ovirt-repo/test-support';
import { checkPackageSignatures, readPublicKeys, shortKeyId, type PublicKeySet } from './index.js';

describeWithTools(['gpg', 'rpmsign', 'rpmkeys'], 'package signatures (rpmkeys against the given keys only)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let gpg: TestGpgHome;
  let rsa: TestGpgKey;
  let ed: TestGpgKey;
  let other: TestGpgKey;
  let keys: PublicKeySet;
  const files: Record<string, string> = {};

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    gpg = await makeGpgHome(dir);
    rsa = await gpg.makeKey('rsa3072', 'RSA Signer <rsa@example.org>');
    ed = await gpg.makeKey('ed25519', 'Ed Signer <ed@example.org>');
    other = await gpg.makeKey('rsa3072', 'Other Signer <other@example.org>');
    keys = await readPublicKeys([rsa.publicKeyFile, ed.publicKeyFile], { env: process.env });
    const unsigned = join(dir, 'unsigned.rpm');
    await writeFile(unsigned, buildRpm({ name: 'hello', version: '1.0', release: '1', arch: 'noarch' }));
    files.unsigned = unsigned;
    const signed = async (name: string, uid: string, headerAndPayload = false) => {
      const f = join(dir, `${name}.rpm`);
      await copyFile(unsigned, f);
      await gpg.signRpm(f, uid, { headerAndPayload });
      files[name] = f;
    };
    await signed('rsa', rsa.uid);
    await signed('ed', ed.uid);
    await signed('rsaLegacy', rsa.uid, true);
    await signed('other', other.uid);
    // One byte of the payload changed after signing.
    const tampered = join(dir, 'tampered.rpm');
    const bytes = await readFile(files.rsa as string);
    bytes[bytes.length - 20] ^= 0xff;
    await writeFile(tampered, bytes);
    files.tampered = tampered;
    files.notRpm = join(dir, 'not-an-rpm.rpm');
    await writeFile(files.notRpm, 'hello\n');
  }, 120_000);
  afterAll(async () => {
    await gpg.close();
    await cleanup();
  });

  const check = async (name: string) => (await checkPackageSignatures([files[name] as string], keys, { env: process.env }))[0];

  it('reads both keys with every fingerprint', () => {
    expect(keys.fingerprints).toEqual(expect.arrayContaining([rsa.fingerprint, ed.fingerprint]));
    expect(keys.armored).toHaveLength(2);
  });

  it('accepts header-only signatures by an RSA and an Ed25519 key, and the header+payload one', async () => {
    const results = await checkPackageSignatures([files.rsa, files.ed, files.rsaLegacy] as string[], keys, { env: process.env });
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
    expect(results.map((r) => r.keyIds)).toEqual([[shortKeyId(rsa.fingerprint)], [shortKeyId(ed.fingerprint)], [shortKeyId(rsa.fingerprint)]]);
  });

  it('refuses an unsigned package, which rpmkeys -K calls "digests OK"', async () => {
    expect(await check('unsigned')).toMatchObject({ ok: false, reason: 'unsigned', keyIds: [] });
  });

  it('refuses a package signed by a key not given, naming the key id found', async () => {
    expect(await check('other')).toMatchObject({ ok: false, reason: 'nokey', keyIds: [shortKeyId(other.fingerprint)] });
  });

  it('refuses a package changed after signing, and a file that is no package', async () => {
    expect(await check('tampered')).toMatchObject({ ok: false, reason: 'bad' });
    expect(await check('notRpm')).toMatchObject({ ok: false, reason: 'unreadable' });
  });

  it('keeps each verdict with its file in one batch', async () => {
    const order = ['other', 'rsa', 'unsigned', 'ed', 'tampered'];
    const results = await checkPackageSignatures(order.map((n) => files[n] as string), keys, { env: process.env });
    expect(results.map((r) => [r.file, r.ok])).toEqual(order.map((n) => [files[n], n === 'rsa' || n === 'ed']));
  });

  it('refuses a key file that is no public key, without echoing it', async () => {
    const secret = join(dir, 'secret.txt');
    await writeFile(secret, 'password=hunter2\n');
    await expect(readPublicKeys([secret], { env: process.env })).rejects.toMatchObject({ code: 'E_USAGE', message: expect.not.stringContaining('hunter2') });
    await expect(readPublicKeys([secret], { env: process.env })).rejects.toThrow(/is not an OpenPGP public key/);
  });

  it('refuses a local key file when local files are not allowed (a config read over the network)', async () => {
    await expect(readPublicKeys([`file://${rsa.publicKeyFile}`], { env: process.env, allowLocal: false })).rejects.toThrow(/names a local file/);
  });
});
