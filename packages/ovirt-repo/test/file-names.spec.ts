import { copyFile, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { writeRpm } from '@ovirt-repo/rpm-writer';
import { describeWithTools, makeTempDir, startNginx, type NginxServer } from '@ovirt-repo/test-support';
import { dnfInstall, ovirtRepoBin } from './flow-helpers.js';

/**
 * File names dnf takes (createrepo_c lists them as they are, librepo percent-encodes them in its requests),
 * each on its own package: the product must carry them from a build to a published repo unchanged.
 */
const ODD_NAMES: Record<string, string> = {
  macro: 'configtest-%{ver}-1.noarch.rpm', // rpmbuild's name when a macro is undefined
  space: 'with space-1.0-1.noarch.rpm',
  unicode: 'ünïcødé-1.0-1.noarch.rpm',
  punct: 'a:b=c,d@e+f~g^h-1.0-1.noarch.rpm',
  query: 'what?frag#ment-1.0-1.noarch.rpm',
  encoded: 'pct%41%20x-1.0-1.noarch.rpm', // stays "%41", never decoded to "A"
};

interface Run {
  code: number;
  out: Record<string, unknown>;
  stderr: string;
}

async function cli(args: string[]): Promise<Run> {
  const r = await execa(process.execPath, [ovirtRepoBin, ...args, '--json'], { reject: false });
  return { code: r.exitCode ?? -1, out: JSON.parse(r.stdout || '{}') as Record<string, unknown>, stderr: r.stderr };
}

async function ok(args: string[]): Promise<Record<string, unknown>> {
  const r = await cli(args);
  if (r.code !== 0) throw new Error(`ovirt-repo ${args.join(' ')} exited ${r.code}\n${JSON.stringify(r.out, null, 2)}\n${r.stderr}`);
  return r.out;
}

/** Every file below `dir`, relative. */
async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(join(e.parentPath, e.name).slice(dir.length + 1));
  return out.sort();
}

describeWithTools(['nginx', 'dnf', 'rpm', 'createrepo_c'], 'package file names: one rule from build to published repo', () => {
  let work: string;
  let cleanup: () => Promise<void>;
  let nginx: NginxServer;
  const build = () => join(work, 'www', 'build');

  beforeAll(async () => {
    ({ dir: work, cleanup } = await makeTempDir('ovirt-repo-names-'));
    await mkdir(build(), { recursive: true });
    for (const [name, file] of Object.entries(ODD_NAMES)) {
      const spec = { name: `odd-${name}`, version: '1.0', release: '1', arch: 'noarch', files: [{ path: `/usr/share/odd/${name}`, contents: `${file}\n` }] };
      await writeRpm(spec, build(), { fileName: file });
    }
    nginx = await startNginx({ '/www/': join(work, 'www') }, join(work, 'nginx'));
  });
  afterAll(async () => {
    await nginx?.stop();
    await cleanup?.();
  });

  it('minirepo, mirror sync over HTTP, snapshot verify and publish keep them, and dnf installs them from the published repo', async () => {
    await ok(['minirepo', 'create', build()]);
    // createrepo_c lists the same names for the same files.
    await mkdir(join(work, 'peer'));
    await execa('createrepo_c', ['--quiet', '-o', join(work, 'peer'), build()]);
    const { stdout: peerHrefs } = await execa('sh', ['-c', `zcat ${join(work, 'peer', 'repodata')}/*-primary.xml.gz | grep -c '<location'`]);
    expect(Number(peerHrefs)).toBe(Object.keys(ODD_NAMES).length);

    const store = join(work, 'www', 'store');
    const sync = await ok(['mirror', 'sync', 'odd', '--from', `${nginx.url}/www/build/`, '--store', store]);
    expect(sync).toMatchObject({ changed: true, packages: Object.keys(ODD_NAMES).length });
    await ok(['snapshot', 'verify', 'odd', '--store', store]);
    const pool = (await files(join(store, 'pool'))).map((f) => f.split('/').at(-1));
    expect(pool.sort()).toEqual(Object.values(ODD_NAMES).sort());

    const published = join(work, 'www', 'published');
    await ok(['publish', '--from', join(store, 'yum', 'odd', String(sync.snapshot)), '--to', published]);
    const kept = (await files(published)).filter((f) => f.endsWith('.rpm')).map((f) => f.split('/').at(-1));
    expect(kept.sort()).toEqual(Object.values(ODD_NAMES).sort());

    const wanted = Object.keys(ODD_NAMES).map((n) => `odd-${n}`);
    for (const [kind, baseurl] of [
      ['http', `${nginx.url}/www/published/`],
      ['file', `file://${published}`],
    ] as const) {
      const config = join(work, `published-${kind}.repo`);
      await writeFile(config, `[published]\nname=published\nbaseurl=${baseurl}\ngpgcheck=0\n`);
      expect(await dnfInstall(config, join(work, `root-${kind}`), wanted)).toEqual(wanted.map((n) => `${n}-1.0-1.noarch`).sort());
    }
    // Over HTTP, each name went out percent-encoded and came back as the same file.
    const log = await nginx.accessLog();
    expect(log).toMatch(/GET \/www\/published\/packages\/[0-9a-f]{2}\/[0-9a-f]{64}\/configtest-%25%7[bB]ver%7[dD]-1\.noarch\.rpm HTTP\/1\.1" 200/);
    expect(log).toMatch(/GET \/www\/published\/packages\/[0-9a-f]{2}\/[0-9a-f]{64}\/pct%2541%2520x-1\.0-1\.noarch\.rpm HTTP\/1\.1" 200/);
  });

  it('carries a 255-byte file name, the longest a filesystem takes, which dnf installs and reposync mirrors', async () => {
    const name = 'l'.repeat(238);
    const long = join(work, 'www', 'long');
    // (The RPM writer's own temp name would not fit: written short, then given its NEVRA name.)
    const short = await writeRpm({ name, version: '1.0', release: '1', arch: 'noarch', files: [{ path: '/usr/share/long/README', contents: 'long\n' }] }, long, { fileName: 'short.rpm' });
    const file = join(long, `${name}-1.0-1.noarch.rpm`);
    await rename(short, file);
    expect(Buffer.byteLength(file.split('/').at(-1)!)).toBe(255);
    await ok(['minirepo', 'create', long]);
    const store = join(work, 'www', 'long-store');
    const sync = await ok(['mirror', 'sync', 'long', '--from', `${nginx.url}/www/long/`, '--store', store]);
    expect(sync).toMatchObject({ changed: true, packages: 1 });
    await ok(['snapshot', 'verify', 'long', '--store', store]);
    const published = join(work, 'www', 'long-published');
    await ok(['publish', '--from', join(store, 'yum', 'long', String(sync.snapshot)), '--to', published]);
    for (const [kind, baseurl] of [
      ['snapshot', `${nginx.url}/www/long-store/yum/long/${String(sync.snapshot)}/`],
      ['published', `${nginx.url}/www/long-published/`],
    ] as const) {
      const config = join(work, `long-${kind}.repo`);
      await writeFile(config, `[${kind}]\nname=${kind}\nbaseurl=${baseurl}\ngpgcheck=0\n`);
      expect(await dnfInstall(config, join(work, `long-root-${kind}`), [name])).toEqual([`${name}-1.0-1.noarch`]);
    }
    // A snapshot stays mirrorable: dnf reposync keeps the name, below the snapshot.
    const mirrored = join(work, 'long-reposync');
    const dnfArgs = ['-y', '-q', '--setopt=reposdir=/dev/null', '--disableplugin=local', `--setopt=cachedir=${join(work, 'long-cache')}`, '--releasever=9', '--nogpgcheck'];
    await execa('dnf', [...dnfArgs, `--repofrompath=snap,${nginx.url}/www/long-store/yum/long/${String(sync.snapshot)}/`, '--repo', 'snap', 'reposync', '-p', mirrored]);
    expect((await files(mirrored)).map((f) => f.split('/').at(-1))).toEqual([file.split('/').at(-1)]);
  });

  it('refuses, at the first step, a name no step may take, naming the file', async () => {
    const bad = join(work, 'bad');
    await mkdir(bad);
    await copyFile(join(build(), ODD_NAMES.space!), join(bad, '.hidden-1.0-1.noarch.rpm'));
    const r = await cli(['minirepo', 'create', bad]);
    expect(r.code).toBe(1);
    expect(r.out).toMatchObject({ error: { code: 'E_UNSAFE_PATH', message: expect.stringContaining('.hidden-1.0-1.noarch.rpm'), hint: expect.any(String) } });
    await rm(join(bad, '.hidden-1.0-1.noarch.rpm'));
    await copyFile(join(build(), ODD_NAMES.space!), join(bad, 'back\\slash-1.0-1.noarch.rpm'));
    const r2 = await cli(['minirepo', 'create', bad]);
    expect(r2.out).toMatchObject({ error: { code: 'E_UNSAFE_PATH', message: expect.stringContaining('backslash') } });
    expect(await readdir(bad)).toEqual(['back\\slash-1.0-1.noarch.rpm']);
  });
});
