import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureOutput } from '@oclif/test';
import { describeWithTools, makeGpgHome, makeTempDir, type TestGpgHome, type TestGpgKey } from '@ovirt-repo/test-support';
import Publish from '../src/commands/publish.js';
import type { PublishResult } from '../src/lib/publish.js';
import { makeRepo, rpmSpec } from './helpers/repos.js';

const pluginRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

// In-process, through the command: flags and config keys reach the signer, and --json carries warnings.
describeWithTools(['gpg', 'createrepo_c'], 'publish command: signing flags and config keys', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let gpg: TestGpgHome;
  let key: TestGpgKey;
  let v1: string;
  let v2: string;
  const savedHome = process.env.GNUPGHOME;

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir('ovr-signcmd-'));
    gpg = await makeGpgHome(dir);
    key = await gpg.makeKey('ed25519', 'Cmd Test <cmd@example.org>');
    // The command signs with the gpg of the environment, as it would for a user.
    process.env.GNUPGHOME = gpg.home;
    v1 = await makeRepo(join(dir, 'v1'), [rpmSpec('hello', '1.0')]);
    v2 = await makeRepo(join(dir, 'v2'), [rpmSpec('hello', '2.0')]);
  });
  afterAll(async () => {
    if (savedHome === undefined) delete process.env.GNUPGHOME;
    else process.env.GNUPGHOME = savedHome;
    await gpg.close();
    await cleanup();
  });

  it('a named destination signs with signKey and publishes the key at publicKeyPath; --json warns when an unsigned publish drops the signature', async () => {
    const dest = join(dir, 'tested');
    const config = join(dir, 'ovirt-repo.yaml');
    await writeFile(config, `repos:\n  exp:\n    mode: additive\npublish:\n  tested:\n    from: exp\n    to: ${dest}\n    signKey: ${key.fingerprint}\n    publicKeyPath: RPM-GPG-KEY-ovirt-tested\n`);
    const signed = await captureOutput(() => Publish.run(['tested', '--config', config, '--from', v1, '--json'], pluginRoot));
    expect(signed.error).toBeUndefined();
    expect(await readFile(join(dest, 'RPM-GPG-KEY-ovirt-tested'), 'utf8')).toBe(await readFile(key.publicKeyFile, 'utf8'));
    expect(existsSync(join(dest, 'repodata', 'repomd.xml.asc'))).toBe(true);

    const unsigned = await captureOutput<PublishResult & { warnings: string[] }>(() => Publish.run(['--from', v2, '--to', dest, '--json'], pluginRoot));
    expect(unsigned.error).toBeUndefined();
    expect(JSON.parse(unsigned.stdout).warnings).toEqual([expect.stringContaining('repodata/repomd.xml.asc: removing the signature of the previous repomd.xml, since this publish is not signed')]);
    expect(existsSync(join(dest, 'repodata', 'repomd.xml.asc'))).toBe(false);
  });

  it('--sign-key and --sign-command together are a usage error (exit 2); --public-key-path alone too', async () => {
    const both = await captureOutput(() => Publish.run(['--from', v1, '--to', join(dir, 'x'), '--sign-key', key.fingerprint, '--sign-command', 'cat'], pluginRoot));
    expect(both.error?.oclif?.exit).toBe(2);
    const alone = await captureOutput(() => Publish.run(['--from', v1, '--to', join(dir, 'x'), '--public-key-path', 'KEY'], pluginRoot));
    expect(alone.error?.oclif?.exit).toBe(2);
    expect(alone.stderr).toMatch(/E_USAGE.*--public-key-path is given but nothing signs/);
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });
});
