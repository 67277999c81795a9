import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, TargetRegistry, checkSyncTarget, isBatchCapable, putAll, readTargetFile, type SyncTarget } from '@ovirt-repo/core';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { registerBuiltinTargets } from '../src/lib/targets/builtin.js';
import { freePort, startRsyncDaemon, writeFakeSsh, type RsyncDaemon } from './helpers/rsync-daemon.js';

describeWithTools(['rsync'], 'rsync target against a real rsync daemon on loopback', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let daemon: RsyncDaemon;
  const registry = new TargetRegistry();
  registerBuiltinTargets(registry);
  const opened: SyncTarget[] = [];
  const open = async (raw: string, env: NodeJS.ProcessEnv = process.env) => {
    const t = await registry.open(raw, { env });
    opened.push(t);
    return t;
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    daemon = await startRsyncDaemon(dir);
  });
  afterAll(async () => {
    for (const t of opened) await t.close?.();
    await daemon?.stop();
    await cleanup();
  });

  it('passes the SyncTarget conformance checks over rsync://', async () => {
    const target = await open(`${daemon.url}/repo/deep/er/dest`);
    const report = await checkSyncTarget(target);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.capabilities).toEqual(['batch']);
    // The destination's missing parents were created like mkdir -p, and the scratch area is gone again.
    expect(await readdir(join(daemon.modules.repo!, 'deep', 'er', 'dest'))).toEqual([]);
  });

  it('passes the conformance checks over ssh (host:path and ssh://), through a local stand-in for ssh', async () => {
    const { rsh, log } = await writeFakeSsh(dir);
    const dest = join(dir, 'ssh-dest');
    const scp = await open(`deploy@build-host.example:${dest}`, { ...process.env, RSYNC_RSH: rsh });
    const report = await checkSyncTarget(scp);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    // Over ssh the receiving rsync replaces links in one rename, so the target offers them.
    expect(report.capabilities).toEqual(['batch', 'symlink']);
    const url = await open(`ssh://deploy@build-host.example:2222${dest}`, { ...process.env, RSYNC_RSH: rsh });
    await url.put('hello.txt', 'over ssh');
    expect(await readFile(join(dest, 'hello.txt'), 'utf8')).toBe('over ssh');
    const calls = await readFile(log, 'utf8');
    expect(calls).toMatch(/^-l deploy build-host\.example rsync --server/m);
    expect(calls).toMatch(/^-p 2222 -l deploy build-host\.example rsync --server/m);
  });

  it('handles file names with spaces and wildcard characters', async () => {
    const target = await open(`${daemon.url}/repo/names`);
    expect(isBatchCapable(target)).toBe(true);
    await putAll(target, [{ path: 'a b/we*ird[1]?.rpm', data: 'w' }, { path: 'a b/weird1.rpm', data: 'keep' }]);
    expect((await target.list('a b')).map((e) => e.path).sort()).toEqual(['a b/we*ird[1]?.rpm', 'a b/weird1.rpm']);
    await target.remove('a b/we*ird[1]?.rpm');
    expect((await target.list('')).map((e) => e.path)).toEqual(['a b/weird1.rpm']);
  });

  it('replaces a file atomically: a transfer killed half way leaves the old content and no partial file', async () => {
    const target = await open(`${daemon.url}/repo/atomic`);
    await target.put('repodata/repomd.xml', 'old content');
    const big = join(dir, 'big.bin');
    await writeFile(big, randomBytes(64 * 1024 * 1024));
    // The same transfer the target runs for put(), started by hand so it can be killed mid-way.
    const stage = join(dir, 'stage', 'repodata');
    await mkdir(stage, { recursive: true });
    await writeFile(join(stage, 'repomd.xml'), await readFile(big));
    const child = spawn('rsync', ['-r', '-I', '--bwlimit=2000', `${join(dir, 'stage')}/`, `${daemon.url}/repo/atomic/`], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect((await readTargetFile(target, 'repodata/repomd.xml')).toString()).toBe('old content');
    // The daemon notices the dead client and removes its temp file.
    await new Promise((r) => setTimeout(r, 500));
    const names = await readdir(join(daemon.modules.repo!, 'atomic', 'repodata'));
    expect(names).toEqual(['repomd.xml']);
  });

  it('fails clearly for an unknown module, a read-only module and a closed port', async () => {
    const unknown = await open(`${daemon.url}/nosuchmodule/x`);
    await expect(unknown.put('a.txt', 'x')).rejects.toMatchObject({ code: ErrorCodes.TARGET, message: expect.stringContaining(`${daemon.url}/nosuchmodule/x/a.txt`), hint: expect.stringContaining('module') });
    const ro = await open(`${daemon.url}/ro`);
    await expect(ro.put('a.txt', 'x')).rejects.toMatchObject({ code: ErrorCodes.TARGET, hint: expect.stringContaining('read only = false') });
    const closed = await open(`rsync://127.0.0.1:${await freePort()}/repo`);
    await expect(closed.stat('x')).rejects.toMatchObject({ code: ErrorCodes.TARGET, hint: expect.stringContaining('daemon is running') });
  });
});
