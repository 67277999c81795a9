import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { openStore, syncRepo, verifySnapshot, type SnapshotRecord } from '../src/index.js';

const run = promisify(execFile);

const SPEC = (name: string, version: string, content: string) => `Name: ${name}
Version: ${version}
Release: 1
Summary: ${name} for tests
License: MIT
BuildArch: noarch
%description
${name} for tests
%install
mkdir -p %{buildroot}/usr/share/${name}
echo '${content}' > %{buildroot}/usr/share/${name}/README
%files
/usr/share/${name}/README
`;

const sha256 = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex');

/** Every *.rpm below `dir`, as sha256 digests, sorted. */
async function rpmDigests(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile() && e.name.endsWith('.rpm')) out.push(await sha256(join(e.parentPath, e.name)));
  return out.sort();
}

/**
 * Several builds of one NEVRA (rpm's own test data has six builds of hello-2.0-1.x86_64: signed, unsigned,
 * re-signed...) are different files with different checksums. dnf sees every one of them; a snapshot holds
 * every one of them too. Made here with the real rpmbuild and rpmsign (a throwaway gpg key).
 */
describeWithTools(['rpmbuild', 'rpmsign', 'gpg', 'createrepo_c', 'dnf'], 'several builds of one NEVRA', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  /** hello-2.0-1.noarch: unsigned, the same signed, and another build; world-1.0-1. */
  const builds: Record<'unsigned' | 'signed' | 'other' | 'world' | 'newer', string> = { unsigned: '', signed: '', other: '', world: '', newer: '' };

  async function rpmbuild(tag: string, name: string, version: string, content: string): Promise<string> {
    const top = join(dir, `top-${tag}`);
    await writeFile(join(dir, `${tag}.spec`), SPEC(name, version, content));
    await run('rpmbuild', ['--define', `_topdir ${top}`, '-bb', join(dir, `${tag}.spec`)]);
    return join(top, 'RPMS', 'noarch', `${name}-${version}-1.noarch.rpm`);
  }

  /** A createrepo_c repo of `files`, each in its own directory (same file names side by side). */
  async function repoOf(name: string, files: Record<string, string>): Promise<string> {
    const repo = join(dir, name);
    for (const [sub, file] of Object.entries(files)) {
      await mkdir(join(repo, sub), { recursive: true });
      await copyFile(file, join(repo, sub, file.split('/').at(-1)!));
    }
    await run('createrepo_c', ['--quiet', repo]);
    return repo;
  }

  /** What dnf lists of a repo: name-evr.arch of every package (repoquery prints equal lines once: with the location, then cut). */
  const dnfList = async (baseurl: string, tag: string) =>
    (await dnf(baseurl, tag, 'repoquery', '--qf', '%{name}-%{evr}.%{arch} %{location}')).stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[0])
      .sort();

  const dnf = (baseurl: string, tag: string, ...args: string[]) =>
    run('dnf', ['-q', '-y', '--setopt=reposdir=/dev/null', '--disableplugin=local', `--setopt=cachedir=${join(dir, `cache-${tag}`)}`, '--releasever=9', '--nogpgcheck', `--repofrompath=r,${baseurl}`, '--repo', 'r', ...args]);

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    const gnupg = join(dir, 'gnupg');
    await mkdir(gnupg, { mode: 0o700 });
    const env = { ...process.env, GNUPGHOME: gnupg };
    await run('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'Test Signer <signer@example.com>', 'rsa2048', 'sign', 'never'], { env });
    builds.unsigned = await rpmbuild('one', 'hello', '2.0', 'first build');
    builds.signed = join(dir, 'signed.rpm');
    await copyFile(builds.unsigned, builds.signed);
    // rpm's default __gpg may name gpg2, which Debian does not have.
    const gpg = (await run('sh', ['-c', 'command -v gpg'])).stdout.trim();
    await run('rpmsign', ['--define', `__gpg ${gpg}`, '--define', '_gpg_name Test Signer', '--define', `_gpg_path ${gnupg}`, '--addsign', builds.signed], { env });
    builds.other = await rpmbuild('two', 'hello', '2.0', 'second build');
    builds.world = await rpmbuild('world', 'world', '1.0', 'world');
    builds.newer = await rpmbuild('newer', 'hello', '2.1', 'newer');
    // Three different files of hello-2.0-1.noarch, and rpm sees the signature on one.
    const digests = await Promise.all([builds.unsigned, builds.signed, builds.other].map(sha256));
    expect(new Set(digests).size).toBe(3);
    const { stdout } = await run('rpm', ['-qp', '--qf', '%{NEVRA} %{SIGPGP:pgpsig}%{RSAHEADER:pgpsig}\n', builds.signed, builds.unsigned]);
    expect(stdout).toMatch(/^hello-2\.0-1\.noarch .*Key ID/m);
    expect(stdout).toMatch(/^hello-2\.0-1\.noarch \(none\)\(none\)$/m);
  }, 120_000);
  afterAll(() => cleanup());

  const helloDigests = async () => (await Promise.all([builds.unsigned, builds.signed, builds.other].map(sha256))).sort();
  const recordOf = async (store: string, repo: string, id: string) => JSON.parse(await readFile(join(store, 'yum', repo, id, 'snapshot.json'), 'utf8')) as SnapshotRecord;

  it('--mode mirror keeps every build, as dnf and reposync see them in the source', async () => {
    const src = await repoOf('src', { a: builds.unsigned, b: builds.signed, c: builds.other, w: builds.world });
    const seen = await dnfList(`file://${src}`, 'src');
    expect(seen).toEqual(['hello-2.0-1.noarch', 'hello-2.0-1.noarch', 'hello-2.0-1.noarch', 'world-1.0-1.noarch']);

    const store = join(dir, 'store');
    const r = await syncRepo({ store, repo: 'el9', from: [src] });
    expect(r).toMatchObject({ changed: true, packages: 4 });
    const record = await recordOf(store, 'el9', r.snapshot!);
    expect(record.packages.filter((p) => p.name === 'hello').map((p) => p.digest).sort()).toEqual(await helloDigests());
    await verifySnapshot(await openStore(store), 'el9', r.snapshot!);

    const snapshot = `file://${join(store, 'yum', 'el9', r.snapshot!)}`;
    expect(await dnfList(snapshot, 'snap')).toEqual(seen);
    const mirrored = join(dir, 'reposync');
    await dnf(snapshot, 'reposync', 'reposync', '-p', mirrored);
    expect(await rpmDigests(mirrored)).toEqual(await rpmDigests(src));

    const again = await syncRepo({ store, repo: 'el9', from: [src] });
    expect(again.changed).toBe(false);
  }, 120_000);

  it('does not depend on file names or directories: the same builds elsewhere give the same snapshot content', async () => {
    const one = await repoOf('names-1', { a: builds.unsigned, b: builds.signed, c: builds.other });
    const two = await repoOf('names-2', { z: builds.other, m: builds.unsigned, a: builds.signed });
    const store = join(dir, 'store-names');
    const r1 = await syncRepo({ store, repo: 'one', from: [one] });
    const r2 = await syncRepo({ store, repo: 'two', from: [two] });
    const [a, b] = [await recordOf(store, 'one', r1.snapshot!), await recordOf(store, 'two', r2.snapshot!)];
    expect(b.packages).toEqual(a.packages);
    expect(b.contentDigest).toBe(a.contentDigest);
  }, 120_000);

  it('keeps the builds of several sources, and lists a file two sources share once', async () => {
    const s1 = await repoOf('multi-1', { a: builds.unsigned, b: builds.signed });
    const s2 = await repoOf('multi-2', { a: builds.signed, b: builds.other });
    const store = join(dir, 'store-multi');
    const r = await syncRepo({ store, repo: 'el9', from: [s1, s2] });
    const record = await recordOf(store, 'el9', r.snapshot!);
    expect(record.packages.map((p) => p.digest).sort()).toEqual(await helloDigests());
  }, 120_000);

  it('--mode additive keeps every build that comes in; a NEVRA that comes in replaces the earlier builds of it', async () => {
    const store = join(dir, 'store-additive');
    const deploy = (name: string, files: Record<string, string>) => repoOf(name, files).then((src) => syncRepo({ store, repo: 'exp', from: [src], mode: 'additive' }));
    const digestsOf = async (id: string) => (await recordOf(store, 'exp', id)).packages.map((p) => `${p.name}-${p.version}:${p.digest}`).sort();

    const first = await deploy('add-1', { a: builds.unsigned, b: builds.signed, w: builds.world });
    expect(await digestsOf(first.snapshot!)).toEqual([`hello-2.0:${await sha256(builds.unsigned)}`, `hello-2.0:${await sha256(builds.signed)}`, `world-1.0:${await sha256(builds.world)}`].sort());
    // Another build of hello-2.0-1 replaces both earlier ones; world stays.
    const second = await deploy('add-2', { c: builds.other });
    expect(await digestsOf(second.snapshot!)).toEqual([`hello-2.0:${await sha256(builds.other)}`, `world-1.0:${await sha256(builds.world)}`].sort());
    // Two builds again, then a newer version.
    const third = await deploy('add-3', { a: builds.unsigned, b: builds.signed });
    expect(await digestsOf(third.snapshot!)).toEqual([`hello-2.0:${await sha256(builds.unsigned)}`, `hello-2.0:${await sha256(builds.signed)}`, `world-1.0:${await sha256(builds.world)}`].sort());
    const fourth = await deploy('add-4', { n: builds.newer });
    expect(await digestsOf(fourth.snapshot!)).toEqual([`hello-2.1:${await sha256(builds.newer)}`, `world-1.0:${await sha256(builds.world)}`].sort());
    await verifySnapshot(await openStore(store), 'exp', fourth.snapshot!);
    expect(await dnfList(`file://${join(store, 'yum', 'exp', third.snapshot!)}`, 'additive')).toEqual(['hello-2.0-1.noarch', 'hello-2.0-1.noarch', 'world-1.0-1.noarch']);
  }, 180_000);
});
