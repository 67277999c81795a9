import { existsSync } from 'node:fs';
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeWithTools, gpgcheckDnf, makeGpgHome, makeTempDir, type TestGpgHome, type TestGpgKey } from '@ovirt-repo/test-support';
import { publish } from '../src/lib/publish.js';
import { at, BUILT_PLUGIN as built, NEW, OLD, publishUntil } from './helpers/kill-points.js';
import { checkRepo, makeRepo, rpmSpec } from './helpers/repos.js';

/**
 * Kill points through one signed publish onto a signed directory, with the listing served right after; dnf
 * with repo_gpgcheck=1 must accept the repository at every one of them. repomd.xml and its signature are
 * written into their own directory (`pair`) and both go live when one link moves (`repomd`), so there is
 * no moment with a repomd.xml beside a signature that is not its own (docs/trust.md).
 */
const POINTS: Array<[string, string[]]> = [
  ['after:package:1', OLD],
  ['after:metadata:2', OLD],
  ['after:history:1', OLD],
  ['after:pair:1', OLD],
  ['after:pair:2', OLD],
  ['before:repomd:1', OLD],
  ['after:repomd:1', NEW],
  ['after:history:2', NEW],
  ['after:remove:1', NEW],
];

/**
 * The same onto a destination an older ovirt-repo wrote as plain files: the live pair is first copied into
 * its directory (pair 1-2) and made `live` (repomd 1), then repodata/repomd.xml.asc and repomd.xml become
 * links reading what they read before (link 1-2), then the new pair (pair 3-4) goes live (repomd 2).
 */
const FLAT_POINTS: Array<[string, string[]]> = [
  ['after:pair:2', OLD],
  ['after:repomd:1', OLD],
  ['after:link:1', OLD],
  ['after:link:2', OLD],
  ['after:pair:4', OLD],
  ['after:repomd:2', NEW],
];

describeWithTools(['gpg', 'createrepo_c', 'dnf', 'rpm'], 'SIGKILL during a signed publish (dnf with repo_gpgcheck=1)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let gpg: TestGpgHome;
  let key: TestGpgKey;
  let v3: string;
  let base: string;
  let flat: string;
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
    // The same destination as an older ovirt-repo wrote it: repomd.xml and its signature as plain files.
    flat = join(dir, 'flat');
    await cp(base, flat, { recursive: true, verbatimSymlinks: true });
    for (const name of ['repomd.xml', 'repomd.xml.asc']) {
      const bytes = await readFile(join(flat, 'repodata', name));
      await rm(join(flat, 'repodata', name));
      await writeFile(join(flat, 'repodata', name), bytes);
    }
    await rm(join(flat, '.ovirt-repo', 'repomd'), { recursive: true });
    client = gpgcheckDnf(join(dir, 'dnf'));
    expect(await client.read(pathToFileURL(flat).href, key.publicKeyFile)).toEqual({ ok: true, error: '' });
    expect(await client.read(pathToFileURL(base).href, key.publicKeyFile)).toEqual({ ok: true, error: '' });
  });
  afterAll(async () => {
    await gpg.close();
    await cleanup();
  });

  const killAndCheck = async (from: string, point: string, listing: string[]): Promise<void> => {
    const dest = join(dir, `${from === base ? '' : 'flat-'}${point.replace(/:/g, '-')}`);
    await cp(from, dest, { recursive: true, verbatimSymlinks: true });
    const killed = await publishUntil(v3, dest, point, at(30), env);
    expect(killed.out).toBe(`AT ${point}`);
    expect(await checkRepo(dest)).toEqual(listing);
    const url = pathToFileURL(dest).href;
    expect(await client.read(url, key.publicKeyFile)).toEqual({ ok: true, error: '' });

    await publish({ from: v3, to: dest, now: at(30), env, sign: { key: key.fingerprint } });
    expect(await checkRepo(dest)).toEqual(NEW);
    expect(await client.read(url, key.publicKeyFile)).toEqual({ ok: true, error: '' });
    expect(await readdir(join(dest, '.ovirt-repo', 'repomd'))).toHaveLength(2);
  };

  it.each(POINTS)('killed at %s: serves the listed repository, dnf with repo_gpgcheck=1 accepts it, and the next run leaves it signed', (point, listing) => killAndCheck(base, point, listing));

  it.each(FLAT_POINTS)('a destination of plain files killed at %s on its way to links: dnf accepts it, the next run finishes', (point, listing) => killAndCheck(flat, point, listing));
});
