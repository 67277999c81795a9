import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { captureOutput } from '@oclif/test';
import { writeRpm } from '@ovirt-repo/rpm-writer';
import { describeWithTools, makeGpgHome, makeTempDir, type TestGpgHome, type TestGpgKey } from '@ovirt-repo/test-support';
import MinirepoCreate from '../src/commands/minirepo/create.js';
import MinirepoVerify from '../src/commands/minirepo/verify.js';
import { pluginRoot } from './helpers.js';

describeWithTools(['gpg', 'rpmsign', 'rpmkeys'], 'minirepo verify --gpgcheck (real gpg, rpmsign, rpmkeys)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let gpg: TestGpgHome;
  let rsa: TestGpgKey;
  let ed: TestGpgKey;
  let n = 0;

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir('mrgpg-'));
    gpg = await makeGpgHome(dir);
    rsa = await gpg.makeKey('rsa3072', 'RSA Signer <rsa@example.org>');
    ed = await gpg.makeKey('ed25519', 'Ed Signer <ed@example.org>');
  }, 120_000);
  afterAll(async () => {
    await gpg.close();
    await cleanup();
  });

  /** A build: each package signed by `uid` (or not), then its mini repo made. */
  async function build(signers: Array<string | undefined>): Promise<string> {
    const out = join(dir, `build${n++}`);
    await mkdir(out);
    for (const [i, uid] of signers.entries()) {
      const file = await writeRpm({ name: `pkg${i}`, version: '1.0', release: '1', arch: 'noarch' }, out);
      if (uid) await gpg.signRpm(file, uid);
    }
    const created = await captureOutput(() => MinirepoCreate.run([out], pluginRoot));
    expect(created.error).toBeUndefined();
    return out;
  }
  const verify = async (args: string[]) => {
    const r = await captureOutput(() => MinirepoVerify.run([...args, '--json'], pluginRoot));
    return { exit: (r.error as { oclif?: { exit?: number } } | undefined)?.oclif?.exit ?? 0, out: JSON.parse(r.stdout) as { error?: { code: string; message: string }; packages?: number } };
  };

  it('accepts packages signed by the keys given (RSA and Ed25519)', async () => {
    const out = await build([rsa.uid, ed.uid]);
    expect(await verify([out, '--gpgcheck', '--gpg-key', rsa.publicKeyFile, '--gpg-key', ed.publicKeyFile])).toEqual({ exit: 0, out: expect.objectContaining({ packages: 2 }) });
  });

  it('refuses an unsigned package and one signed by another key, naming each, with E_GPGCHECK', async () => {
    const out = await build([rsa.uid, undefined, ed.uid]);
    const r = await verify([out, '--gpgcheck', '--gpg-key', rsa.publicKeyFile]);
    expect(r.exit).toBe(1);
    expect(r.out.error?.code).toBe('E_GPGCHECK');
    expect(r.out.error?.message).toMatch(/signature: pkg1-1\.0-1\.noarch\.rpm: not signed/);
    expect(r.out.error?.message).toContain(`signature: pkg2-1.0-1.noarch.rpm: signed by key ID ${ed.fingerprint.slice(-8).toLowerCase()}, not one of the keys given`);
    expect(r.out.error?.message).not.toContain('pkg0');
    expect((await readdir(out)).sort()).toEqual(['pkg0-1.0-1.noarch.rpm', 'pkg1-1.0-1.noarch.rpm', 'pkg2-1.0-1.noarch.rpm', 'repodata']);
  });

  it('without --gpgcheck signatures are not looked at; --gpgcheck without a key is a usage error', async () => {
    const out = await build([undefined]);
    expect(await verify([out])).toMatchObject({ exit: 0 });
    expect(await verify([out, '--gpgcheck'])).toMatchObject({ exit: 2, out: { error: { code: 'E_USAGE' } } });
  });
});
