import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { makeCorpus } from '@ovirt-repo/rpm-writer';
import { describeWithTools, makeTempDir, startNginx, type NginxServer } from '@ovirt-repo/test-support';
import { dnfInstall, ovirtRepo, ovirtRepoBin, writeBuild } from './flow-helpers.js';

interface SyncResult {
  repo: string;
  snapshot: string;
  url: string;
}

const REPOSYNC_CONFIG = `[main]
keepcache=0

# the upstream mirror: replaced by its snapshot
[upstream-el9]
name=upstream
mirrorlist=https://mirrors.example.invalid/?repo=baseos&arch=$basearch
gpgcheck=0

[experimental-master-el9]
name=experimental master
baseurl=https://example.invalid/experimental/master/el9/
gpgcheck=0
`;

// The whole experimental flow, end to end, with the real binary, a real nginx serving the build artifacts
// and the store, and a real dnf as the system test.
describeWithTools(['nginx', 'dnf', 'rpm'], 'the experimental flow, end to end', () => {
  let work: string;
  let cleanup: () => Promise<void>;
  let nginx: NginxServer;
  let store: string;
  let storeUrl: string;
  const artifacts = () => join(work, 'artifacts');
  const sync = (repo: string, ...args: string[]) =>
    ovirtRepo<SyncResult>(['mirror', 'sync', repo, '--store', store, '--base-url', storeUrl, ...args]);

  beforeAll(async () => {
    ({ dir: work, cleanup } = await makeTempDir('ovirt-repo-flow-'));
    if (process.env.FLOW_KEEP) cleanup = async () => undefined;
    store = join(work, 'store');
    await mkdir(store);
    await mkdir(artifacts());
    nginx = await startNginx({ '/artifacts/': artifacts(), '/store/': store }, join(work, 'nginx'));
    storeUrl = `${nginx.url}/store`;
  });
  afterAll(async () => {
    await nginx?.stop();
    await cleanup?.();
  });

  it('deploys, tests, reproduces, publishes, pins and collects garbage', async () => {
    // build-artifacts: two build jobs, each a mini repo served as CI serves job artifacts.
    await writeBuild(join(artifacts(), 'engine-1'), 'engine', '1');
    await writeBuild(join(artifacts(), 'vdsm-1'), 'vdsm', '1');
    for (const build of ['engine-1', 'vdsm-1']) await ovirtRepo(['minirepo', 'create', join(artifacts(), build)]);

    // deploy-to-experimental: two flows at once, from the artifacts' URLs.
    const [master, other] = await Promise.all([
      sync('experimental-master-el9', '--mode', 'additive', '--from', `${nginx.url}/artifacts/engine-1/`),
      sync('experimental-4.5-el9', '--mode', 'additive', '--from', `${nginx.url}/artifacts/vdsm-1/`),
    ]);
    expect(master.url).toBe(`${storeUrl}/yum/experimental-master-el9/${master.snapshot}`);
    expect(other.repo).toBe('experimental-4.5-el9');

    // mirror cron: an upstream repo.
    const upstreamDir = join(artifacts(), 'upstream');
    await makeCorpus(30, upstreamDir);
    await ovirtRepo(['minirepo', 'create', upstreamDir]);
    const upstream = await sync('upstream-el9', '--from', `${nginx.url}/artifacts/upstream/`);

    // system tests: inject snapshot URLs into the reposync config, with a lock.
    const config = join(work, 'reposync-config.repo');
    const lock = join(work, 'run.lock.json');
    await writeFile(config, REPOSYNC_CONFIG);
    await ovirtRepo(['inject', config, '--mirrors', `${storeUrl}/yum/all_latest.json`, '--lock-out', lock]);
    const firstRun = await dnfInstall(config, join(work, 'root-1'), ['engine']);
    expect(firstRun).toEqual(['engine-1.0-1.noarch', 'engine-lib-1.0-1.x86_64']);

    // A later deploy moves latest (twice, so one snapshot is neither latest nor named by the lock).
    await writeBuild(join(artifacts(), 'engine-2'), 'engine', '2');
    await writeBuild(join(artifacts(), 'engine-3'), 'engine', '3');
    await ovirtRepo(['minirepo', 'create', join(artifacts(), 'engine-2')]);
    await ovirtRepo(['minirepo', 'create', join(artifacts(), 'engine-3')]);
    const middle = await sync('experimental-master-el9', '--mode', 'additive', '--from', `${nginx.url}/artifacts/engine-2/`);
    const latest = await sync('experimental-master-el9', '--mode', 'additive', '--from', `${nginx.url}/artifacts/engine-3/`);
    expect(latest.snapshot > middle.snapshot && middle.snapshot > master.snapshot).toBe(true);
    expect(await dnfInstall(await freshInjected(), join(work, 'root-latest'), ['engine'])).toContain('engine-1.0-3.noarch');

    // ...yet --from-lock reproduces the first run's installed package set exactly.
    const reproduce = async (name: string) => {
      const again = join(work, `${name}.repo`);
      await writeFile(again, REPOSYNC_CONFIG);
      await ovirtRepo(['inject', again, '--from-lock', lock]);
      return dnfInstall(again, join(work, `root-${name}`), ['engine']);
    };
    expect(await reproduce('reproduced')).toEqual(firstRun);

    // publish-tested: exactly what the run tested, then dnf installs from the published repo.
    const published = join(work, 'public', 'tested');
    await ovirtRepo(['publish', '--from-lock', lock, '--repo', 'experimental-master-el9', '--to', published]);
    const publishedRepo = join(work, 'published.repo');
    await writeFile(publishedRepo, `[tested]\nname=tested\nbaseurl=file://${published}/\ngpgcheck=0\n`);
    expect(await dnfInstall(publishedRepo, join(work, 'root-published'), ['engine'])).toEqual(firstRun);

    // The same through a destination named in ovirt-repo.yaml: what it publishes equals the explicit run.
    const configFile = join(work, 'ovirt-repo.yaml');
    await writeFile(
      configFile,
      `store: store\nbaseUrl: ${storeUrl}\nrepos:\n  experimental-master-el9:\n    mode: additive\npublish:\n  tested-master-el9:\n    from: experimental-master-el9\n    to: public/tested-by-name\n`,
    );
    const byName = await ovirtRepo<{ destination: string; listed: { total: number } }>(['publish', 'tested-master-el9', '--from-lock', lock, '--config', configFile]);
    expect(byName.destination).toBe(join(work, 'public', 'tested-by-name'));
    expect(byName.listed.total).toBe(2);

    // Pin what the lock names, then gc with a short max-age: pinned and latest snapshots stay, the rest go.
    await ovirtRepo(['snapshot', 'pin', '--from-lock', lock, '--store', store, '--base-url', storeUrl, '--reason', 'release candidate run']);
    await new Promise((r) => setTimeout(r, 1100));
    await ovirtRepo(['gc', '--store', store, '--max-age', '1s']);
    const snapshotsOf = async (repo: string) => (await readdir(join(store, 'yum', repo))).filter((n) => /^\d{8}T/.test(n)).sort();
    expect(await snapshotsOf('experimental-master-el9')).toEqual([master.snapshot, latest.snapshot]);
    expect(await snapshotsOf('upstream-el9')).toEqual([upstream.snapshot]);
    expect(await snapshotsOf('experimental-4.5-el9')).toEqual([other.snapshot]);

    // The lock still reproduces, and its recorded repomd.xml files are unchanged.
    const verify = await execa(process.execPath, [ovirtRepoBin, 'lock', 'verify', lock, '--json'], { reject: false });
    expect(verify.exitCode).toBe(0);
    expect(await reproduce('after-gc')).toEqual(firstRun);
  });

  /** A fresh copy of the config injected from the current map: what a new test run would get. */
  async function freshInjected(): Promise<string> {
    const file = join(work, 'fresh.repo');
    await writeFile(file, REPOSYNC_CONFIG);
    await ovirtRepo(['inject', file, '--mirrors', `${storeUrl}/yum/all_latest.json`]);
    return file;
  }
});
