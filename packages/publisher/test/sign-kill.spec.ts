import { existsSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeWithTools, gpgcheckDnf, makeGpgHome, makeTempDir, type TestGpgHome, type TestGpgKey } from '@ovirt-repo/test-support';
import { publish } from '../src/lib/publish.js';
import { at, BUILT_PLUGIN as built, NEW, OLD, publishUntil } from './helpers/kill-points.js';
import { checkRepo, makeRepo, rpmSpec } from './helpers/repos.js';

/**
 * Kill points through one signed publish onto a signed destination, with the listing served right after
 * and whether dnf with repo_gpgcheck=1 accepts it. `before:repomd:1` is the one moment between the new
 * repomd.xml.asc and the new repomd.xml (docs/trust.md): the old repomd.xml beside the new signature.
 */
const POINTS: Array<[string, string[], boolean]> = [
  ['after:package:1', OLD, true],
  ['after:metadata:2', OLD, true],
  ['after:history:1', OLD, true],
  ['before:repomd:1', OLD, false],
  ['after:repomd:1', NEW, true],
  ['after:history:2', NEW, true],
  ['after:remove:1', NEW, true],
];

describeWithTools(['gpg', 'createrepo_c', 'dnf', 'rpm'], 'SIGKILL during a signed publish (dnf with repo_gpgcheck=1)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let gpg: TestGpgHome;
  let key: TestGpgKey;
  let v3: string;
  let base: string;
  let env: NodeJS.ProcessEnv;
  let client: ReturnType<typeof gpgcheckDnf>;

  beforeAll(async () => {
    if (!existsSync(built)) throw new Error(`${built} is missing: build the plugin first (npx nx run @ovirt-repo/plugin-publisher:build)`);
    ({ dir, cleanup } = await makeTempDir('ovr-skill-'));
    gpg = await makeGpgHome(dir);
    key = await gpg.makeKey('ed25519', 'Kill Test <kill@example.org>');
    env = { ...gpg.env, SOURCE_DATE_EPOCH: '1893456000', PUBLISH_SIGN_KEY: key.fingerprint };
    const v1 = await makeRepo(join(dir, 'v1'), [rpmSpec('hello', '1.0'), rpmSpec('tools', '1.0')]);
    const v2 = await makeRepo(join(dir, 'v2'), [rpmSpec('hello', '2.0'), rpmSpec('tools', '1.0')]);
    v3 = await makeRepo(join(dir, 'v3'), [rpmSpec('hello', '3.0'), rpmSpec('tools', '1.0')]);
    base = join(dir, 'base');
    const sign = { key: key.fingerprint };
    await publish({ from: v1, to: base, now: at(0), env, sign });
    await publish({ from: v2, to: base, now: at(1), env, sign });
    client = gpgcheckDnf(join(dir, 'dnf'));
    expect(await client.read(pathToFileURL(base).href, key.publicKeyFile)).toEqual({ ok: true, error: '' });
  });
  afterAll(async () => {
    await gpg.close();
    await cleanup();
  });

  it.each(POINTS)('killed at %s: serves the listed repository, dnf accepts it unless between the two files, and the next run leaves it signed', async (point, listing, accepted) => {
    const dest = join(dir, point.replace(/:/g, '-'));
    await cp(base, dest, { recursive: true });
    const killed = await publishUntil(v3, dest, point, at(30), env);
    expect(killed.out).toBe(`AT ${point}`);
    expect(await checkRepo(dest)).toEqual(listing);
    const url = pathToFileURL(dest).href;
    const afterKill = await client.read(url, key.publicKeyFile);
    expect(afterKill.ok).toBe(accepted);

    await publish({ from: v3, to: dest, now: at(30), env, sign: { key: key.fingerprint } });
    expect(await checkRepo(dest)).toEqual(NEW);
    expect(await client.read(url, key.publicKeyFile)).toEqual({ ok: true, error: '' });
  });
});
