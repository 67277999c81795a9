import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { syncRepo } from '../src/index.js';
import { ensurePluginBuilt, pluginRoot, repoRoot } from './helpers/built.js';
import { COMPS, makeRepo, pkg } from './helpers/fixtures.js';
import { leftovers, snapshotIds } from './helpers/store-checks.js';
import { ovirtRepo } from './helpers/commands.js';

/*
 * Hostile sizes (issue 15, items 1 and 2): decompression bombs whose repomd.xml open-size lies, endless
 * downloads, special files where a regular file is expected. Each must end in bounded time, memory and disk
 * with a clear error, and publish nothing. Runs that could exhaust memory or block forever on the code they
 * guard against run in a child process, with a deadline, and report their peak memory.
 */

type Kind = 'gz' | 'xz' | 'zstd';
const EXT: Record<Kind, string> = { gz: 'gz', xz: 'xz', zstd: 'zst' };
const COMPRESSOR: Record<Kind, string[]> = { gz: ['gzip', '-1', '-c'], xz: ['xz', '-0', '-T1', '-c'], zstd: ['zstd', '-q', '-1', '-c'] };
const MiB = 1 << 20;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** `head`, then `size` spaces, streamed through the real compressor: a bomb built without holding it. */
async function compressedBomb(kind: Kind, head: string, size: number): Promise<Buffer> {
  const [cmd, ...args] = COMPRESSOR[kind];
  const child = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const out: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  const exited = new Promise<number | null>((r) => child.on('close', r));
  const write = (b: Buffer) => new Promise<void>((r, j) => child.stdin.write(b, (e) => (e ? j(e) : r())));
  await write(Buffer.from(head));
  const chunk = Buffer.alloc(MiB, 0x20);
  for (let sent = 0; sent < size; sent += chunk.length) await write(sent + chunk.length <= size ? chunk : chunk.subarray(0, size - sent));
  child.stdin.end();
  expect(await exited).toBe(0);
  return Buffer.concat(out);
}

/** The decompressed text of a repo's (createrepo_c, gz) metadata file of `type`. */
async function metadataText(repo: string, type: string): Promise<string> {
  const names = await readdir(join(repo, 'repodata'));
  return gunzipSync(await readFile(join(repo, 'repodata', names.find((n) => n.endsWith(`-${type}.xml.gz`))!))).toString('utf8');
}

interface RecordEdit {
  /** The file's new bytes and name ending (after `<sha256>-<type>.xml`). */
  bytes: Buffer;
  ext: string;
  /** The open-size repomd.xml states; undefined drops the element. */
  openSize?: number;
  /** Drop <size> from the record. */
  noSize?: boolean;
}

/** Replace a repo's `type` metadata file with other bytes, repomd.xml saying what `edit` says about them. */
async function replaceRecord(repo: string, type: string, edit: RecordEdit): Promise<string> {
  const repodata = join(repo, 'repodata');
  const old = (await readdir(repodata)).find((n) => n.includes(`-${type}.xml`))!;
  await rm(join(repodata, old));
  const name = `${sha256(edit.bytes)}-${type}.xml${edit.ext ? `.${edit.ext}` : ''}`;
  await writeFile(join(repodata, name), edit.bytes);
  const repomdPath = join(repodata, 'repomd.xml');
  const repomd = (await readFile(repomdPath, 'utf8')).replace(new RegExp(`<data type="${type}">[\\s\\S]*?</data>`), (block) =>
    block
      .replace(/<checksum type="sha256">[0-9a-f]+<\/checksum>/, `<checksum type="sha256">${sha256(edit.bytes)}</checksum>`)
      .replace(/<location href="[^"]*"\/>/, `<location href="repodata/${name}"/>`)
      .replace(/\s*<size>\d+<\/size>/, edit.noSize ? '' : `<size>${edit.bytes.length}</size>`)
      .replace(/\s*<open-size>\d+<\/open-size>/, edit.openSize === undefined ? '' : `<open-size>${edit.openSize}</open-size>`),
  );
  await writeFile(repomdPath, repomd);
  return `repodata/${name}`;
}

interface ChildSync {
  code: number | null;
  error?: { code: string; message: string };
  timedOut: boolean;
  ms: number;
  /** Peak resident memory of the sync process (GNU time's %M). */
  maxRssMiB: number;
}

/** A sync in a child process under GNU time, killed after `deadlineMs`. */
async function syncInChild(options: object, deadlineMs = 60_000): Promise<ChildSync> {
  const runner = join(pluginRoot, 'test', 'helpers', 'runner.mjs');
  const started = Date.now();
  const child = spawn('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, runner, 'sync', JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    process.kill(-child.pid!, 'SIGKILL');
  }, deadlineMs);
  const code = await new Promise<number | null>((r) => child.on('close', r));
  clearTimeout(timer);
  const last = stdout.trim().split('\n').at(-1) ?? '';
  const result = last.startsWith('{') ? (JSON.parse(last) as { error?: { code: string; message: string } }) : {};
  const rss = /maxrss=(\d+)/.exec(stderr);
  return { code, timedOut, ms: Date.now() - started, maxRssMiB: rss ? Number(rss[1]) / 1024 : Infinity, ...(result.error ? { error: result.error } : {}) };
}

/**
 * A real HTTP server on 127.0.0.1 serving `root`, except that the paths in `endless` get an endless body
 * of spaces (at most `cap` bytes, so a client that never stops still ends), optionally announcing a
 * Content-Length. Counts what it sent per path.
 */
async function startHostileServer(root: string, cap = 256 * MiB) {
  const endless = new Map<string, { contentLength?: number }>();
  const sent = new Map<string, number>();
  const server = http.createServer(async (req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const how = endless.get(path);
    if (!how) {
      const body = await readFile(join(root, path)).catch(() => undefined);
      res.statusCode = body ? 200 : 404;
      res.end(body ?? 'not found\n');
      return;
    }
    if (how.contentLength !== undefined) res.setHeader('content-length', how.contentLength);
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let total = 0;
    const pump = () => {
      while (total < cap && !res.destroyed) {
        total += chunk.length;
        sent.set(path, (sent.get(path) ?? 0) + chunk.length);
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end();
    };
    res.on('close', () => res.removeAllListeners('drain'));
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    endless,
    sent,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

describeWithTools(['createrepo_c', 'gzip', 'xz', 'zstd'], 'mirror sync bounds what it reads', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: string;
  beforeAll(() => {
    ensurePluginBuilt();
    if (!existsSync(join(repoRoot, 'packages', 'core', 'dist', 'bundle', 'index.js'))) throw new Error('packages/core is not built: run `npx nx run-many -t build`');
  });
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    store = join(dir, 'store');
  });
  afterEach(() => cleanup());

  async function expectNothingPublished(repo: string, before: string[] = []): Promise<void> {
    expect(await snapshotIds(store, repo)).toEqual(before);
    expect(await leftovers(store, repo)).toEqual([]);
  }

  describe('decompression bombs', () => {
    const BOMB = 256 * MiB;
    /** Far below what decompressing the bomb whole takes (the bomb alone is 256 MiB). */
    const MAX_RSS_MIB = 200;

    it.each(['gz', 'xz', 'zstd'] as const)('stops decompressing a %s primary at the open-size repomd.xml declares', async (kind) => {
      const src = await makeRepo(join(dir, 'src'), [pkg('alpha')]);
      // The latest snapshot makes the sync read primary by its layout, the first sync with the XML parser.
      const first = await syncRepo({ store, repo: 'known', from: [src] });
      const primary = await metadataText(src, 'primary');
      const head = primary.slice(0, primary.indexOf('<package type="rpm">') + '<package type="rpm">\n'.length);
      const href = await replaceRecord(src, 'primary', { bytes: await compressedBomb(kind, head, BOMB), ext: EXT[kind], openSize: Buffer.byteLength(primary) });

      for (const [repo, before] of [['known', [first.snapshot!]], ['fresh', []]] as const) {
        const run = await syncInChild({ store, repo, from: [src] });
        expect(run).toMatchObject({ timedOut: false, code: 1, error: { code: 'E_SIZE_MISMATCH' } });
        expect(run.error!.message).toContain(href);
        expect(run.error!.message).toContain(`open-size ${Buffer.byteLength(primary)}`);
        // It stopped just past the declared size: never near the bomb's 256 MiB.
        const stoppedAt = Number(/stopped after (\d+) bytes/.exec(run.error!.message)?.[1]);
        expect(stoppedAt).toBeLessThan(4 * MiB);
        expect(run.maxRssMiB).toBeLessThan(MAX_RSS_MIB);
        await expectNothingPublished(repo, [...before]);
      }
    });
  });

  describe('special files where a regular file is expected', () => {

    async function plantSpecial(path: string, what: 'zero' | 'fifo'): Promise<void> {
      await rm(path);
      if (what === 'zero') await symlink('/dev/zero', path);
      else await new Promise<void>((r, j) => spawn('mkfifo', [path]).on('close', (c) => (c === 0 ? r() : j(new Error(`mkfifo ${c}`)))));
    }

    it.each([
      ['repomd.xml', 'zero'],
      ['repomd.xml', 'fifo'],
      ['primary', 'zero'],
      ['primary', 'fifo'],
      ['comps (carried metadata)', 'zero'],
      ['comps (carried metadata)', 'fifo'],
    ] as const)('refuses a local source whose %s is a %s', async (file, what) => {
      const src = await makeRepo(join(dir, 'src'), [pkg('alpha')], { comps: COMPS });
      const names = await readdir(join(src, 'repodata'));
      const name = file === 'repomd.xml' ? file : names.find((n) => (file === 'primary' ? n.endsWith('-primary.xml.gz') : n.endsWith('-comps.xml')))!;
      const path = join(src, 'repodata', name);
      await plantSpecial(path, what);
      const run = await syncInChild({ store, repo: 'r', from: [src] }, 30_000);
      expect(run.timedOut).toBe(false);
      expect(run.code).toBe(1);
      expect(run.error?.message).toContain(path);
      expect(run.error?.message).toMatch(what === 'zero' ? /is a character device, not a regular file/ : /is a FIFO, not a regular file/);
      expect(run.ms).toBeLessThan(15_000);
      await expectNothingPublished('r');
    });
  });

  describe('--max-metadata-size and sync.maxMetadataSize', () => {
    /** A local source whose (valid) primary decompresses to 4 MiB and whose repomd.xml gives no open-size. */
    async function largePrimary(): Promise<string> {
      const src = await makeRepo(join(dir, 'src'), [pkg('alpha')]);
      const primary = await metadataText(src, 'primary');
      const at = primary.indexOf('<package type="rpm">') + '<package type="rpm">\n'.length;
      await replaceRecord(src, 'primary', { bytes: gzipOf(primary.slice(0, at) + ' '.repeat(4 * MiB) + primary.slice(at)), ext: 'gz' });
      return src;
    }

    it('bound what repomd.xml leaves unbounded, from the command line or the config file', async () => {
      if (!existsSync(join(repoRoot, 'packages', 'cli', 'dist', 'bundle', 'index.js'))) throw new Error('packages/cli is not built: run `npx nx run-many -t build`');
      const src = await largePrimary();
      const flag = await ovirtRepo(['mirror', 'sync', 'r', '--from', src, '--store', store, '--max-metadata-size', '1MiB', '--json']);
      expect(flag.code).toBe(1);
      expect(JSON.parse(flag.stdout).error).toMatchObject({
        code: 'E_SIZE_MISMATCH',
        message: expect.stringMatching(/primary\.xml\.gz decompresses to more than 1048576 bytes, the most a metadata file may \(stopped after \d+ bytes; repomd\.xml declares no open-size\)$/),
        hint: expect.stringContaining('--max-metadata-size'),
      });
      const config = join(dir, 'ovirt-repo.yaml');
      await writeFile(config, `store: ${store}\nsync:\n  maxMetadataSize: 2MiB\n`);
      const file = await ovirtRepo(['mirror', 'sync', 'r', '--from', src, '--json'], { OVIRT_REPO_CONFIG: config });
      expect(file.code).toBe(1);
      expect(JSON.parse(file.stdout).error.message).toContain('more than 2097152 bytes');
      await expectNothingPublished('r');
      // The flag beats the file.
      expect((await ovirtRepo(['mirror', 'sync', 'r', '--from', src, '--max-metadata-size', '8M', '--json'], { OVIRT_REPO_CONFIG: config })).code).toBe(0);
      expect(await snapshotIds(store, 'r')).toHaveLength(1);
    });

    it('refuses a size it cannot read as a usage error', async () => {
      const bad = await ovirtRepo(['mirror', 'sync', 'r', '--from', dir, '--store', store, '--max-metadata-size', '4GB']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('"4GB"');
      expect(bad.stderr).toContain('4GiB');
    });
  });

  describe('downloads', () => {
    let server: Awaited<ReturnType<typeof startHostileServer>>;
    let web: string;
    beforeEach(async () => {
      web = join(dir, 'web');
      await mkdir(web);
      server = await startHostileServer(web);
    });
    afterEach(() => server.close());

    it('refuses an endless primary as soon as it passes the size repomd.xml declares', async () => {
      const src = await makeRepo(join(web, 'repo'), [pkg('alpha')]);
      const names = await readdir(join(src, 'repodata'));
      const primary = names.find((n) => n.endsWith('-primary.xml.gz'))!;
      const declared = (await readFile(join(src, 'repodata', primary))).length;
      server.endless.set(`/repo/repodata/${primary}`, {});
      const started = Date.now();
      const err = await syncRepo({ store, repo: 'r', from: [`${server.url}/repo/`], retries: 0 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_SIZE_MISMATCH', data: { expected: declared } });
      const message = (err as Error).message;
      expect(message).toContain(`${server.url}/repo/repodata/${primary}`);
      expect(message).toContain(`${declared} bytes`);
      expect((err as { hint?: string }).hint).toBeTruthy();
      // Aborted at once: what the server got out is the declared size plus what sockets buffer.
      expect(server.sent.get(`/repo/repodata/${primary}`)).toBeLessThan(16 * MiB);
      expect(Date.now() - started).toBeLessThan(10_000);
      await expectNothingPublished('r');
    });

    it('refuses a primary whose Content-Length exceeds its declared size before reading it', async () => {
      const src = await makeRepo(join(web, 'repo'), [pkg('alpha')]);
      const primary = (await readdir(join(src, 'repodata'))).find((n) => n.endsWith('-primary.xml.gz'))!;
      server.endless.set(`/repo/repodata/${primary}`, { contentLength: 1 << 30 });
      const err = await syncRepo({ store, repo: 'r', from: [`${server.url}/repo/`], retries: 0, timeoutMs: 30_000 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_SIZE_MISMATCH', data: { actual: 1 << 30 } });
      expect((err as Error).message).toContain(`Content-Length ${1 << 30}`);
      await expectNothingPublished('r');
    });

    it('caps metadata repomd.xml gives no size for at --max-metadata-size', async () => {
      const src = await makeRepo(join(web, 'repo'), [pkg('alpha')]);
      const filelists = (await readdir(join(src, 'repodata'))).find((n) => n.endsWith('-filelists.xml.gz'))!;
      const text = await metadataText(src, 'filelists');
      const href = await replaceRecord(src, 'filelists', { bytes: gzipOf(text), ext: 'gz', openSize: Buffer.byteLength(text), noSize: true });
      expect(href).not.toBe(`repodata/${filelists}`);
      server.endless.set(`/repo/${href}`, {});
      const err = await syncRepo({ store, repo: 'r', from: [`${server.url}/repo/`], retries: 0, maxMetadataSize: 2 * MiB }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_SIZE_MISMATCH', data: { limit: 2 * MiB } });
      expect((err as Error).message).toContain(`${server.url}/repo/${href}`);
      expect((err as { hint?: string }).hint).toContain('--max-metadata-size');
      expect(server.sent.get(`/repo/${href}`)).toBeLessThan(16 * MiB);
      await expectNothingPublished('r');
    });

    it('stops a package download as soon as it passes the size primary declares', async () => {
      await makeRepo(join(web, 'repo'), [pkg('alpha')]);
      const rpm = '/repo/Packages/alpha-1.0-1.noarch.rpm';
      const size = (await readFile(join(web, rpm))).length;
      server.endless.set(rpm, {});
      const err = await syncRepo({ store, repo: 'r', from: [`${server.url}/repo/`], retries: 0 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_SIZE_MISMATCH' });
      expect((err as Error).message).toContain(`${server.url}${rpm}`);
      expect((err as Error).message).toContain(`${size} bytes`);
      // A size mismatch is tried once more (a mirror caught mid-update), each attempt cut off at once.
      expect(server.sent.get(rpm)).toBeLessThan(2 * 16 * MiB);
      expect(await readdir(join(store, 'pool'), { recursive: true, withFileTypes: true }).then((all) => all.filter((e) => e.isFile()))).toEqual([]);
      await expectNothingPublished('r');
    });

    it('refuses a package whose Content-Length exceeds its declared size before reading it', async () => {
      await makeRepo(join(web, 'repo'), [pkg('alpha')]);
      const rpm = '/repo/Packages/alpha-1.0-1.noarch.rpm';
      server.endless.set(rpm, { contentLength: 1 << 30 });
      const err = await syncRepo({ store, repo: 'r', from: [`${server.url}/repo/`], retries: 0, timeoutMs: 30_000 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_SIZE_MISMATCH', data: { actual: 1 << 30 } });
      expect((err as Error).message).toContain(`Content-Length ${1 << 30}`);
      await expectNothingPublished('r');
    });
  });
});

function gzipOf(text: string): Buffer {
  return gzipSync(Buffer.from(text));
}
