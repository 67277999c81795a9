import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { writeRpm } from '@ovirt-repo/rpm-writer';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';

const exec = promisify(execFile);
// The real binary, as CI jobs run it (needs `npm run build` first; the test target depends on build).
const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'cli', 'bin', 'run.js');

async function ovirtRepo(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const CONFIG = `[main]
gpgcheck = 0
# reposync reads these; the test run must get them from the snapshots instead
[ost-probe-el8]
name = OST probe (upstream)
mirrorlist = file:///nonexistent/mirrorlist
enabled = 1
skip_if_unavailable = False
includepkgs = ost-probe
\tost-experimental
`;

describeWithTools(['dnf', 'createrepo_c'], 'inject end to end: the real binary, createrepo_c and dnf', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
  afterAll(() => cleanup());

  /** What dnf sees through `config`, as "repo name-version-release.arch" lines. */
  async function repoquery(config: string, cache: string): Promise<string[]> {
    const { stdout } = await exec('dnf', [
      '-c', config, '--noplugins', '--setopt=reposdir=/dev/null', `--installroot=${join(dir, 'root')}`, `--setopt=cachedir=${join(dir, cache)}`,
      '--releasever=8', '-q', 'repoquery', '--qf', '%{repoid} %{name}-%{version}-%{release}.%{arch}',
    ]);
    return stdout.trim().split('\n').sort();
  }

  it('points a reposync config at store snapshots that dnf then reads, and records a verifiable lock', async () => {
    const store = join(dir, 'store', 'yum');
    const probe = join(store, 'ost-probe-el8', '2024-05-01T10-00-00Z');
    const experimental = join(store, 'experimental-el8', '2024-05-01T11-00-00Z');
    await writeRpm({ name: 'ost-probe', version: '1.0', release: '1', arch: 'noarch' }, probe);
    await writeRpm({ name: 'ost-experimental', version: '2.0', release: '1', arch: 'noarch' }, experimental);
    for (const repo of [probe, experimental]) await exec('createrepo_c', ['-q', repo]);
    // The index as the store serves it, with URLs relative to its own location.
    await writeFile(
      join(store, 'all_latest.json'),
      JSON.stringify({
        latest_ci_repos: {
          'ost-probe-el8': 'ost-probe-el8/2024-05-01T10-00-00Z',
          'before:ost-probe-el8': [['experimental-el8', 'experimental-el8/2024-05-01T11-00-00Z']],
        },
      }),
    );
    const config = join(dir, 'reposync-config.repo');
    await writeFile(config, CONFIG);
    await mkdir(join(dir, 'root'));
    // Before injection the config points nowhere, and dnf says so.
    await expect(repoquery(config, 'cache0')).rejects.toMatchObject({ stderr: expect.stringContaining("ost-probe-el8") });

    const mirrors = pathToFileURL(join(store, 'all_latest.json')).href;
    const lockPath = join(dir, 'run.lock.json');
    const injected = await ovirtRepo(['inject', '--mirrors', mirrors, config, '--lock-out', lockPath, '--json']);
    expect(injected).toMatchObject({ code: 0 });
    expect(JSON.parse(injected.stdout)).toMatchObject({
      status: 'injected',
      files: [{ path: config, changed: true, injected: [{ section: 'ost-probe-el8' }], inserted: [{ repo: 'experimental-el8', before: 'ost-probe-el8' }] }],
      lock: { path: lockPath, entries: 2 },
    });
    const text = await readFile(config, 'utf8');
    expect(text).toBe(`[main]
gpgcheck = 0
[experimental-el8]
baseurl = ${pathToFileURL(experimental).href}
proxy = _none_

# reposync reads these; the test run must get them from the snapshots instead
[ost-probe-el8]
name = OST probe (upstream)
enabled = 1
skip_if_unavailable = False
includepkgs = ost-probe
\tost-experimental
baseurl = ${pathToFileURL(probe).href}
proxy = _none_
`);
    expect(await repoquery(config, 'cache1')).toEqual([
      'experimental-el8 ost-experimental-2.0-1.noarch',
      'ost-probe-el8 ost-probe-1.0-1.noarch',
    ]);

    // The lock reproduces the same file from the original config, and verifies while nothing changed.
    const again = join(dir, 'again.repo');
    await writeFile(again, CONFIG);
    expect(await ovirtRepo(['inject', '--from-lock', lockPath, again])).toMatchObject({ code: 0 });
    expect(await readFile(again, 'utf8')).toBe(text);
    const verified = await ovirtRepo(['lock', 'verify', lockPath, '--json']);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, counts: { unchanged: 2 } });

    // Re-indexing a snapshot in place changes its repomd.xml: verify must notice and fail.
    await exec('createrepo_c', ['-q', '--revision', 'rewritten', probe]);
    const changed = await ovirtRepo(['lock', 'verify', lockPath]);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(/^changed\s+ost-probe-el8 /m);
    expect(changed.stderr).toContain('Error [E_VERIFY_FAILED]: 1 of 2 locked repos no longer serve what');
  });

  // Issue 15 item 16: snapshots carry no repomd.xml.asc, so a repo_gpgcheck=1 section pointed at one
  // fails in dnf; inject says so, in --json too.
  it('warns about a repo_gpgcheck=1 section it points at a snapshot, which dnf then refuses', async () => {
    const snap = join(dir, 'store', 'yum', 'signed-el8', '2024-05-01T12-00-00Z');
    await writeRpm({ name: 'signed-probe', version: '1.0', release: '1', arch: 'noarch' }, snap);
    await exec('createrepo_c', ['-q', snap]);
    const config = join(dir, 'signed.repo');
    await writeFile(config, '[main]\ngpgcheck = 0\n\n[signed-el8]\nname = signed\nmetalink = https://mirrors.example.org/metalink?repo=signed-8\nrepo_gpgcheck = 1\n');
    const map = `data:application/json,${JSON.stringify({ 'signed-el8': pathToFileURL(snap).href })}`;
    const injected = await ovirtRepo(['inject', '--mirrors', map, config, '--json']);
    expect(injected.code).toBe(0);
    expect(JSON.parse(injected.stdout).warnings).toEqual([
      expect.stringMatching(/^\S+signed\.repo:4: \[signed-el8\] has repo_gpgcheck on \(line 7\) and now reads file:\/\/\S+: only snapshots of a repo that mirror sync signs have signed metadata/),
    ]);
    await expect(repoquery(config, 'cache-signed')).rejects.toMatchObject({ stderr: expect.stringContaining('GPG signature is not available') });
    // As the warning says: with repo_gpgcheck off in that section, dnf reads the snapshot.
    await writeFile(config, (await readFile(config, 'utf8')).replace('repo_gpgcheck = 1', 'repo_gpgcheck = 0'));
    expect(await repoquery(config, 'cache-signed-off')).toEqual(['signed-el8 signed-probe-1.0-1.noarch']);
  });
});
