import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { captureOutput } from '@oclif/test';
import { ErrorCodes, type Logger } from '@ovirt-repo/core';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import Publish from '../src/commands/publish.js';
import { HISTORY_PATH, parseHistory } from '../src/lib/history.js';
import { publish, type PublishOptions, type PublishResult } from '../src/lib/publish.js';
import { checkRepo, makeRepo, rpmSpec, serveDirectory, treeDigest } from './helpers/repos.js';

const pluginRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, SOURCE_DATE_EPOCH: '1893456000' };
const run = (o: Partial<PublishOptions> & Pick<PublishOptions, 'to'>) => publish({ env, ...o });

/**
 * A store snapshot as `mirror sync` leaves it: a repository (whose repomd.xml revision is `revision`)
 * with its snapshot.json beside repodata/, in the store's layout (docs/mirror.md): every field on the first
 * line, then one package a line.
 */
async function snapshot(dir: string, version: string, record: { repo: string; id: string; createdAt: string }, revision: string): Promise<string> {
  await makeRepo(dir, [rpmSpec('hello', version)], undefined, [`--revision=${revision}`]);
  const repomdSha256 = createHash('sha256').update(await readFile(join(dir, 'repodata', 'repomd.xml'))).digest('hex');
  const head = JSON.stringify({ format: 1, ...record, mode: 'additive', options: {}, sources: [], repomdSha256 });
  const line = JSON.stringify({ name: 'hello', epoch: '0', version, release: '1', arch: 'noarch', href: 'pool/00/00/hello.rpm', checksumType: 'sha256', digest: '0'.repeat(64), size: 1 });
  await writeFile(join(dir, 'snapshot.json'), `${head.slice(0, -1)},"packages":[\n${line}\n]}\n`);
  return dir;
}

function collecting(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const quiet = () => undefined;
  return { warnings, logger: { info: quiet, debug: quiet, warn: (m: string) => void warnings.push(m), progress: () => ({ tick: quiet, done: quiet }) } };
}

async function liveSource(dest: string): Promise<string | undefined> {
  return parseHistory(await readFile(join(dest, HISTORY_PATH)), 'history').generations.at(-1)?.source;
}

describeWithTools(['createrepo_c'], 'publish refuses a source older than what the destination publishes', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let older: string;
  let newer: string;
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    // The revisions say the opposite of the snapshot times: the snapshot's own record wins.
    older = await snapshot(join(dir, 'yum', 'exp', '20300101T100000.000Z'), '1.0', { repo: 'exp', id: '20300101T100000.000Z', createdAt: '2030-01-01T10:00:00.000Z' }, '1900000900');
    newer = await snapshot(join(dir, 'yum', 'exp', '20300101T110000.000Z'), '2.0', { repo: 'exp', id: '20300101T110000.000Z', createdAt: '2030-01-01T11:00:00.000Z' }, '1900000100');
  });
  afterAll(() => cleanup());

  it('refuses an older snapshot after a newer one, naming both, and publishes it with --allow-older', async () => {
    const dest = join(dir, 'dest');
    await run({ from: newer, to: dest });
    const before = await treeDigest(dest);
    for (const dryRun of [false, true]) {
      const error = await run({ from: older, to: dest, dryRun }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: ErrorCodes.OLDER_SOURCE, target: older, hint: expect.stringContaining('--allow-older') });
      const message = (error as Error).message;
      for (const part of [older, '20300101T100000.000Z', newer, '20300101T110000.000Z', dest]) expect(message).toContain(part);
      expect(await treeDigest(dest)).toEqual(before);
    }

    // A deliberate roll-back.
    const rolledBack = await run({ from: older, to: dest, allowOlder: true });
    expect(rolledBack).toMatchObject({ changed: true, added: [expect.objectContaining({ nevra: 'hello-1.0-1.noarch' })] });
    expect(rolledBack.notes.join('\n')).toMatch(/older than .*20300101T110000\.000Z.*--allow-older/);
    expect(await liveSource(dest)).toBe(older);
    // ...after which the newer snapshot is newer again.
    expect((await run({ from: newer, to: dest })).changed).toBe(true);
    expect(await liveSource(dest)).toBe(newer);
  });

  it('publishing the same snapshot again is not "older": it writes nothing', async () => {
    const dest = join(dir, 'dest-same');
    await run({ from: newer, to: dest });
    const before = await treeDigest(dest);
    expect((await run({ from: newer, to: dest })).changed).toBe(false);
    expect(await treeDigest(dest)).toEqual(before);
  });

  it('a newer snapshot with the same content takes over the live generation, so one between them is older', async () => {
    // 12:00 has exactly the packages of 10:00 (a build reverted): publishing it writes no repomd.xml.
    const reverted = join(dir, 'yum', 'exp', '20300101T120000.000Z');
    await cp(older, reverted, { recursive: true });
    const record = (await readFile(join(older, 'snapshot.json'), 'utf8')).replaceAll('20300101T100000.000Z', '20300101T120000.000Z').replace('2030-01-01T10:00:00.000Z', '2030-01-01T12:00:00.000Z');
    await writeFile(join(reverted, 'snapshot.json'), record);
    const dest = join(dir, 'dest-reverted');
    await run({ from: older, to: dest });
    expect((await run({ from: reverted, to: dest })).changed).toBe(false);
    expect(await liveSource(dest)).toBe(reverted);
    await expect(run({ from: newer, to: dest })).rejects.toMatchObject({ code: ErrorCodes.OLDER_SOURCE, message: expect.stringContaining('20300101T120000.000Z') });
  });

  it("refuses an older run's lock after a newer one (snapshots over http)", async () => {
    const server = await serveDirectory(join(dir, 'yum', 'exp'));
    try {
      const lockFor = async (name: string, id: string) => {
        const repomd = await readFile(join(dir, 'yum', 'exp', id, 'repodata', 'repomd.xml'));
        const file = join(dir, name);
        const entry = { repo: 'experimental-el9', url: `${server.url}${id}/`, repomd: { sha256: createHash('sha256').update(repomd).digest('hex'), size: repomd.length } };
        const lock = { version: 1, createdAt: '2030-01-02T00:00:00.000Z', createdBy: 'ovirt-repo inject', map: { uri: null, varname: 'latest_ci_repos', sources: [] }, options: { allowProxy: false, noneValue: null }, entries: [entry], files: [] };
        await writeFile(file, JSON.stringify(lock));
        return file;
      };
      const run1 = await lockFor('run1.lock.json', '20300101T100000.000Z');
      const run2 = await lockFor('run2.lock.json', '20300101T110000.000Z');
      const dest = join(dir, 'dest-locks');
      await run({ fromLock: run2, repo: 'experimental-el9', to: dest });
      const before = await treeDigest(dest);
      await expect(run({ fromLock: run1, repo: 'experimental-el9', to: dest })).rejects.toMatchObject({
        code: ErrorCodes.OLDER_SOURCE,
        message: expect.stringContaining(`${server.url}20300101T100000.000Z/`),
      });
      expect(await treeDigest(dest)).toEqual(before);
      expect(await checkRepo(dest)).toEqual(['hello-2.0-1.noarch']);
    } finally {
      await server.close();
    }
  });

  it('racing publishes: whichever takes the lock first, the newer snapshot ends up live', async () => {
    const dest = join(dir, 'dest-race');
    const results = await Promise.allSettled([run({ from: older, to: dest, lockWaitMs: 30_000 }), run({ from: newer, to: dest, lockWaitMs: 30_000 })]);
    expect(results[1]).toMatchObject({ status: 'fulfilled' });
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(
      results[0]!.status === 'rejected' ? [ErrorCodes.OLDER_SOURCE] : [],
    );
    expect(await liveSource(dest)).toBe(newer);
  });

  it('without snapshot records, the repomd.xml revisions decide', async () => {
    const rev100 = await makeRepo(join(dir, 'plain-100'), [rpmSpec('hello', '1.0')], undefined, ['--revision=100']);
    const rev200 = await makeRepo(join(dir, 'plain-200'), [rpmSpec('hello', '2.0')], undefined, ['--revision=200']);
    const dest = join(dir, 'dest-plain');
    await run({ from: rev200, to: dest });
    await expect(run({ from: rev100, to: dest })).rejects.toMatchObject({
      code: ErrorCodes.OLDER_SOURCE,
      message: expect.stringMatching(/revision 100\b.*revision 200\b/),
    });
    expect(await checkRepo(dest)).toEqual(['hello-2.0-1.noarch']);
  });

  it('a source with no time to compare is published, with a warning that --json carries', async () => {
    const rev200 = await makeRepo(join(dir, 'untimed-200'), [rpmSpec('hello', '2.0')], undefined, ['--revision=200']);
    const named = await makeRepo(join(dir, 'untimed-named'), [rpmSpec('hello', '1.0')], undefined, ['--revision=build-42']);
    const dest = join(dir, 'dest-untimed');
    await run({ from: rev200, to: dest });
    const { logger, warnings } = collecting();
    const r = await run({ from: named, to: dest, logger });
    expect(r.changed).toBe(true);
    expect(warnings).toEqual([expect.stringMatching(/Cannot tell whether .*untimed-named is older than what .*dest-untimed publishes.*revision "build-42"/s)]);

    const out = await captureOutput(() => Publish.run(['--json', '--from', rev200, '--to', dest], pluginRoot));
    expect(out.error).toBeUndefined();
    const json = JSON.parse(out.stdout) as PublishResult & { warnings: string[] };
    expect(json.changed).toBe(true);
    expect(json.warnings).toEqual([expect.stringContaining('Cannot tell whether')]);
  });

  it('a snapshot.json that does not describe the source is ignored, with a warning', async () => {
    const stray = await makeRepo(join(dir, 'stray'), [rpmSpec('hello', '3.0')], undefined, ['--revision=300']);
    await writeFile(join(stray, 'snapshot.json'), await readFile(join(older, 'snapshot.json')));
    const dest = join(dir, 'dest-stray');
    await run({ from: newer, to: dest });
    const { logger, warnings } = collecting();
    // By its record it would be older (10:00 < 11:00); the record is not this repository's, so the
    // revisions decide (300 > 1900000100 is false: older).
    await expect(run({ from: stray, to: dest, logger })).rejects.toMatchObject({ code: ErrorCodes.OLDER_SOURCE, message: expect.stringContaining('revision 300') });
    expect(warnings).toEqual([expect.stringMatching(/stray\/snapshot\.json: it does not describe this repository/)]);
  });

  it('reads no more than the head of a snapshot.json: an endless one over http, a FIFO locally, are ignored with a warning', async () => {
    const plain = await makeRepo(join(dir, 'hostile'), [rpmSpec('hello', '2.0')], undefined, ['--revision=1900000200']);
    let served = 0;
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path !== '/snapshot.json') return void readFile(join(plain, path)).then((b) => res.end(b), () => res.writeHead(404).end());
      // An endless first line: never a line end.
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) served += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const { logger, warnings } = collecting();
      const r = await run({ from: `http://127.0.0.1:${port}/`, to: join(dir, 'dest-endless'), logger });
      expect(r.changed).toBe(true);
      expect(warnings).toEqual([expect.stringMatching(/snapshot\.json: no snapshot record fits in its first 1048576 bytes/)]);
      expect(served).toBeLessThan(16 << 20);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }

    await promisify(execFile)('mkfifo', [join(plain, 'snapshot.json')]);
    const { logger, warnings } = collecting();
    expect((await run({ from: plain, to: join(dir, 'dest-fifo'), logger })).changed).toBe(true);
    expect(warnings).toEqual([expect.stringMatching(/snapshot\.json is not a regular file/)]);
  });

  it('--allow-older on the command line', async () => {
    const dest = join(dir, 'dest-flag');
    await run({ from: newer, to: dest });
    const refused = await captureOutput(() => Publish.run(['--from', older, '--to', dest], pluginRoot));
    expect(refused.error).toMatchObject({ oclif: { exit: 1 } });
    expect(refused.stderr).toContain('E_OLDER_SOURCE');
    const allowed = await captureOutput(() => Publish.run(['--from', older, '--to', dest, '--allow-older'], pluginRoot));
    expect(allowed.error).toBeUndefined();
    expect(allowed.stdout).toMatch(/^Note: .*older than/m);
    expect(await liveSource(dest)).toBe(older);
  });
});
