import { cp, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, type SyncTarget } from '@ovirt-repo/core';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { FileTarget } from '../src/lib/targets/file-target.js';
import { assertPublishDestination } from '../src/lib/destination.js';
import { publish } from '../src/lib/publish.js';
import { checkRepo, makeRepo, rpmSpec, treeDigest } from './helpers/repos.js';
import { startRsyncDaemon, type RsyncDaemon } from './helpers/rsync-daemon.js';

const env = { ...process.env, SOURCE_DATE_EPOCH: '1893456000' };

/** A FileTarget on `root` whose uploads of metadata fail, as a full disk would fail them. */
function failingMetadataTarget(root: string): SyncTarget {
  const real = new FileTarget(root);
  return Object.assign(Object.create(real) as FileTarget, {
    put: async (path: string, data: Parameters<FileTarget['put']>[1]) => {
      if (path.startsWith('repodata/')) throw Object.assign(new Error(`ENOSPC: no space left on device, write ${path}`), { code: 'ENOSPC' });
      return real.put(path, data);
    },
  });
}

describeWithTools(['createrepo_c'], 'publish into an existing directory', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let v1: string;
  let v2: string;
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    v1 = await makeRepo(join(dir, 'src-v1'), [rpmSpec('hello', '1.0')]);
    v2 = await makeRepo(join(dir, 'src-v2'), [rpmSpec('hello', '2.0')]);
  });
  afterAll(() => cleanup());

  it('refuses a non-empty directory that is neither a publish destination nor a repository, naming what it holds', async () => {
    // A web server's document root, as a new user might give it.
    const www = join(dir, 'html');
    await mkdir(join(www, 'icons'), { recursive: true });
    await writeFile(join(www, 'index.html'), '<h1>It works!</h1>\n');
    await writeFile(join(www, 'icons', 'logo.png'), 'not really a png');
    const before = await treeDigest(www);
    for (const dryRun of [false, true]) {
      const error = await publish({ from: v1, to: www, env, dryRun }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({
        code: ErrorCodes.TARGET,
        target: www,
        message: expect.stringContaining(`Refusing to publish into ${www}`),
        hint: expect.stringContaining('empty'),
      });
      expect((error as Error).message).toMatch(/holds 2 files: icons\/logo\.png, index\.html/);
      // Nothing written: not even the lock directory.
      expect(await treeDigest(www)).toEqual(before);
      expect((await readdir(www)).sort()).toEqual(['icons', 'index.html']);
    }
  });

  it('accepts a new destination whose .ovirt-repo/ appears between its two checks (another publisher taking its lock)', async () => {
    const dest = join(dir, 'dest-lock-appears');
    const real = new FileTarget(dest);
    const racing = Object.assign(Object.create(real) as FileTarget, {
      stat: async (path: string) => {
        const seen = await real.stat(path);
        if (path === '.ovirt-repo') {
          await mkdir(join(dest, '.ovirt-repo', 'locks'), { recursive: true });
          await writeFile(join(dest, '.ovirt-repo', 'locks', 'publish.lock'), 'another publisher');
        }
        return seen;
      },
    });
    await expect(assertPublishDestination(racing)).resolves.toBeUndefined();
  });

  it('publishes into an empty directory, and keeps publishing into a destination of its own with other files beside', async () => {
    const dest = join(dir, 'empty');
    await mkdir(dest);
    await publish({ from: v1, to: dest, env });
    await writeFile(join(dest, 'README'), 'latest tested oVirt packages\n');
    const r = await publish({ from: v2, to: dest, env });
    expect(r.changed).toBe(true);
    expect(await checkRepo(dest)).toEqual(['hello-1.0-1.noarch', 'hello-2.0-1.noarch']);
  });

  it('adopts an existing YUM repository (publish did not write it)', async () => {
    const dest = join(dir, 'old-latest-tested');
    await cp(v1, dest, { recursive: true });
    await writeFile(join(dest, 'README'), 'the old latest.tested\n');
    const r = await publish({ from: v2, to: dest, env });
    expect(r.notes).toContain('adopted the existing repository as the first generation');
    expect(await checkRepo(dest)).toEqual(['hello-1.0-1.noarch', 'hello-2.0-1.noarch']);
  });

  it('a first publish that failed half-way stays a destination of its own: the next run finishes it', async () => {
    const dest = join(dir, 'failed-first');
    await expect(publish({ from: v1, to: failingMetadataTarget(dest), env })).rejects.toThrow(/ENOSPC/);
    // The package was copied before the metadata upload failed.
    expect(Object.keys(await treeDigest(dest)).filter((f) => f.startsWith('packages/'))).toHaveLength(1);
    const r = await publish({ from: v1, to: dest, env });
    expect(r.changed).toBe(true);
    expect(await checkRepo(dest)).toEqual(['hello-1.0-1.noarch']);
  });
});

describeWithTools(['createrepo_c', 'rsync'], 'publish into an existing directory over rsync', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let daemon: RsyncDaemon;
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    daemon = await startRsyncDaemon(dir);
  });
  afterAll(async () => {
    await daemon?.stop();
    await cleanup();
  });

  it('refuses a remote directory holding other files, the same way', async () => {
    const source = await makeRepo(join(dir, 'src'), [rpmSpec('hello', '1.0')]);
    const www = join(daemon.modules.repo!, 'www');
    await mkdir(www, { recursive: true });
    await writeFile(join(www, 'index.html'), '<h1>It works!</h1>\n');
    const before = await treeDigest(www);
    const to = `${daemon.url}/repo/www`;
    await expect(publish({ from: source, to, env })).rejects.toMatchObject({ code: ErrorCodes.TARGET, target: to, message: expect.stringMatching(/holds 1 file: index\.html/) });
    expect(await treeDigest(www)).toEqual(before);
  });
});
