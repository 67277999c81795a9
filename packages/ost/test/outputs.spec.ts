import { execFile, spawn } from 'node:child_process';
import { chmod, lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readRunLock } from '@ovirt-repo/core';
import { makeTempDir } from '@ovirt-repo/test-support';
import { injectFiles } from '../src/lib/inject.js';
import { startServer, type RouteHandler, type TestServer } from './helpers/http-server.js';

const exec = promisify(execFile);
const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'cli', 'bin', 'run.js');
const fast = { tries: 1, retryDelayMs: 5, timeoutMs: 3000 };

const A = '[a-el8]\nname = A\nmirrorlist = http://mirrors.example.org/?repo=a\n';
const B = '[b-el8]\nname = B\nbaseurl = http://old.example.org/b\n';

/**
 * Items 20 and 21 of issue 15: inject writes its outputs (the configs and the lock) only over regular
 * files or new names, checks all of them before reading the map, and replaces them all or none.
 */
describe('inject outputs: regular files only, all or nothing', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let server: TestServer;
  /** Called when a repomd.xml is asked for, while inject records digests (before it writes anything). */
  let onRepomd: RouteHandler | undefined;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    onRepomd = undefined;
    const repomd: RouteHandler = async (req, res) => {
      await onRepomd?.(req, res);
      if (!res.headersSent) res.writeHead(200).end('<repomd/>\n');
    };
    server = await startServer({
      '/yum/all_latest.json': JSON.stringify({ latest_ci_repos: { 'a-el8': 'a-el8/S1', 'b-el8': 'b-el8/S1' } }),
      '/yum/a-el8/S1/repodata/repomd.xml': repomd,
      '/yum/b-el8/S1/repodata/repomd.xml': repomd,
    });
    await writeFile(join(dir, 'a.repo'), A);
    await writeFile(join(dir, 'b.repo'), B);
  });
  afterEach(async () => {
    await server.close();
    await cleanup();
  });

  const mirrors = () => `${server.url}/yum/all_latest.json`;
  const inject = (lockOut: string, files = ['a.repo', 'b.repo']) => injectFiles({ files, mirrors: mirrors(), lockOut, cwd: dir, http: fast });

  async function expectConfigsUntouched(since: { a: number; b: number }): Promise<void> {
    expect(await readFile(join(dir, 'a.repo'), 'utf8')).toBe(A);
    expect(await readFile(join(dir, 'b.repo'), 'utf8')).toBe(B);
    expect([(await stat(join(dir, 'a.repo'))).mtimeMs, (await stat(join(dir, 'b.repo'))).mtimeMs]).toEqual([since.a, since.b]);
  }
  const mtimes = async () => ({ a: (await stat(join(dir, 'a.repo'))).mtimeMs, b: (await stat(join(dir, 'b.repo'))).mtimeMs });

  it.each([
    ['a directory', async (p: string) => void (await mkdir(p)), 'is a directory'],
    ['a FIFO', (p: string) => exec('mkfifo', [p]).then(() => undefined), 'is a FIFO'],
    ['a symlink to a FIFO', async (p: string) => {
      await exec('mkfifo', [`${p}.fifo`]);
      await symlink(`${p}.fifo`, p);
    }, 'is a FIFO (through a symlink to'],
    ['a dangling symlink', (p: string) => symlink(`${p}.missing`, p), 'is a symlink to a missing file'],
    ['a path below a regular file', async (p: string) => void (await writeFile(dirname(p), 'x')), 'is not a directory'],
  ])('refuses a lock output that is %s before reading the map, and changes nothing', async (what, make, problem) => {
    const lockOut = what === 'a path below a regular file' ? join(dir, 'file', 'run.lock.json') : join(dir, 'run.lock.json');
    const existing = what === 'a path below a regular file' ? dirname(lockOut) : lockOut;
    await make(lockOut);
    const kind = (await lstat(existing)).mode;
    const since = await mtimes();
    await expect(inject(lockOut)).rejects.toMatchObject({
      code: 'E_USAGE',
      message: expect.stringContaining(problem),
      hint: expect.any(String),
    });
    expect(server.requests).toEqual([]);
    await expectConfigsUntouched(since);
    expect((await lstat(existing)).mode).toBe(kind);
  });

  it('refuses a config that is not a regular file, without reading it', async () => {
    await exec('mkfifo', [join(dir, 'fifo.repo')]);
    await mkdir(join(dir, 'dir.repo'));
    const since = await mtimes();
    await expect(inject(join(dir, 'run.lock.json'), ['a.repo', 'fifo.repo'])).rejects.toMatchObject({
      code: 'E_USAGE',
      message: `${join(dir, 'fifo.repo')} is a FIFO: inject reads and replaces regular files only`,
    });
    await expect(inject(join(dir, 'run.lock.json'), ['a.repo', 'dir.repo'])).rejects.toMatchObject({
      code: 'E_USAGE',
      message: `${join(dir, 'dir.repo')} is a directory: inject reads and replaces regular files only`,
    });
    expect((await lstat(join(dir, 'fifo.repo'))).isFIFO()).toBe(true);
    await expectConfigsUntouched(since);
  });

  it('refuses a lock output that is one of the configs', async () => {
    const since = await mtimes();
    await expect(inject(join(dir, 'b.repo'))).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringContaining('is also a config to inject') });
    await expectConfigsUntouched(since);
  });

  it('writes the lock through a symlink to a regular file, which stays a link with its mode', async () => {
    await mkdir(join(dir, 'locks'));
    await writeFile(join(dir, 'locks', 'real.lock.json'), 'old');
    await chmod(join(dir, 'locks', 'real.lock.json'), 0o600);
    await symlink(join(dir, 'locks', 'real.lock.json'), join(dir, 'run.lock.json'));
    const result = await inject(join(dir, 'run.lock.json'));
    expect(result.lock).toEqual({ path: join(dir, 'run.lock.json'), entries: 2 });
    expect(await readlink(join(dir, 'run.lock.json'))).toBe(join(dir, 'locks', 'real.lock.json'));
    expect((await stat(join(dir, 'locks', 'real.lock.json'))).mode & 0o777).toBe(0o600);
    expect((await readRunLock(join(dir, 'run.lock.json'))).entries.map((e) => e.repo)).toEqual(['a-el8', 'b-el8']);
  });

  it('puts every config back when the lock cannot be put in place at the end', async () => {
    const lockOut = join(dir, 'run.lock.json');
    // The output was a new name when checked; it is a directory by the time the lock is written.
    onRepomd = async () => {
      await mkdir(lockOut, { recursive: true });
    };
    await expect(inject(lockOut)).rejects.toMatchObject({ code: 'E_IO', message: expect.stringContaining(lockOut) });
    expect(await readFile(join(dir, 'a.repo'), 'utf8')).toBe(A);
    expect(await readFile(join(dir, 'b.repo'), 'utf8')).toBe(B);
    expect((await readdir(dir)).sort()).toEqual(['a.repo', 'b.repo', 'run.lock.json']);
  });

  // The real binary, killed at the worst moment before its commit point: the map is read and every
  // config injected in memory, and it waits for the repomd.xml digests the lock records.
  it('killed while recording digests, the real binary leaves every file as it was', async () => {
    let arrived: () => void;
    const waiting = new Promise<void>((resolve) => (arrived = resolve));
    onRepomd = () => {
      arrived();
      return new Promise<void>(() => undefined);
    };
    const since = await mtimes();
    const child = spawn(process.execPath, [bin, 'inject', '--mirrors', mirrors(), 'a.repo', 'b.repo', '--lock-out', 'run.lock.json'], { cwd: dir, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await waiting;
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    await expectConfigsUntouched(since);
    expect((await readdir(dir)).sort()).toEqual(['a.repo', 'b.repo']);
  });
});
