import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readTargetFile, targetRegistry, type SyncTarget } from '@ovirt-repo/core';
import { describeWithS3, describeWithTools, makeGpgHome, makeTempDir, s3TestPrefix, type S3TestServer, type TestGpgHome, type TestGpgKey } from '@ovirt-repo/test-support';
import { publish } from '../src/lib/publish.js';
import { registerBuiltinTargets } from '../src/lib/targets/builtin.js';
import { makeRepo, rpmSpec } from './helpers/repos.js';
import { recordingTarget } from './helpers/recording-target.js';
import { startRsyncDaemon, type RsyncDaemon } from './helpers/rsync-daemon.js';
import { emptyS3Prefix, testS3Target } from './helpers/s3.js';

const run = promisify(execFile);
const REPOMD = 'repodata/repomd.xml';
const ASC = 'repodata/repomd.xml.asc';

interface Fixture {
  dir: string;
  gpg: TestGpgHome;
  key: TestGpgKey;
  v1: string;
  v2: string;
}

async function fixture(dir: string): Promise<Fixture> {
  const gpg = await makeGpgHome(dir);
  const key = await gpg.makeKey('rsa3072', 'Targets <targets@example.org>');
  const v1 = await makeRepo(join(dir, 'v1'), [rpmSpec('hello', '1.0')]);
  const v2 = await makeRepo(join(dir, 'v2'), [rpmSpec('hello', '2.0')]);
  return { dir, gpg, key, v1, v2 };
}

/** What a client reading the destination now would find: no repomd.xml, no signature, a good one, a bad one. */
async function pairState(f: Fixture, target: SyncTarget, n: number): Promise<'none' | 'unsigned' | 'good' | 'bad'> {
  if (!(await target.stat(REPOMD))) return 'none';
  if (!(await target.stat(ASC))) return 'unsigned';
  const data = join(f.dir, `state-${n}.xml`);
  await writeFile(data, await readTargetFile(target, REPOMD));
  await writeFile(`${data}.asc`, await readTargetFile(target, ASC));
  return run('gpg', ['--batch', '--verify', `${data}.asc`, data], { env: f.gpg.env }).then(
    () => 'good' as const,
    () => 'bad' as const,
  );
}

/**
 * A signed publish of v2 over a signed v1 through `target`, the pair checked with gpg before every write
 * and after the last: it must verify at every moment but one, right before repomd.xml is replaced (the
 * documented window: the old repomd.xml beside the new signature).
 */
async function checkWriteOrder(f: Fixture, target: SyncTarget): Promise<void> {
  const env = { ...f.gpg.env, SOURCE_DATE_EPOCH: '1893456000' };
  const sign = { key: f.key.fingerprint };
  await publish({ from: f.v1, to: target, env, sign, now: new Date('2030-01-01T00:00:00Z') });
  let n = 0;
  const seen: Array<{ before: string; state: string }> = [];
  const recorded = recordingTarget(target, async (path) => void seen.push({ before: path, state: await pairState(f, target, ++n) }));
  await publish({ from: f.v2, to: recorded.target, env, sign, now: new Date('2030-01-02T00:00:00Z') });
  seen.push({ before: '(end)', state: await pairState(f, target, ++n) });
  const puts = recorded.log.filter((r) => r.op === 'put').map((r) => r.path);
  expect(puts.indexOf(ASC)).toBe(puts.indexOf(REPOMD) - 1);
  expect(seen.filter((s) => s.state !== 'good')).toEqual([{ before: REPOMD, state: 'bad' }]);
  expect(seen.at(-1)).toEqual({ before: '(end)', state: 'good' });
}

describeWithTools(['gpg', 'createrepo_c', 'rsync'], 'signed publish: write order on a local directory and over rsync://', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let f: Fixture;
  let daemon: RsyncDaemon;
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir('ovr-signt-'));
    f = await fixture(dir);
    daemon = await startRsyncDaemon(dir);
  });
  afterAll(async () => {
    await daemon?.stop();
    await f.gpg.close();
    await cleanup();
  });

  it('file: the signature and repomd.xml disagree only right before repomd.xml is replaced', async () => {
    const registry = targetRegistry();
    registerBuiltinTargets(registry);
    await checkWriteOrder(f, await registry.open(join(dir, 'file-dest')));
  });

  it('rsync://: the same', async () => {
    const registry = targetRegistry();
    registerBuiltinTargets(registry);
    const target = await registry.open(`${daemon.url}/repo/signed`, { env: process.env });
    try {
      await checkWriteOrder(f, target);
    } finally {
      await target.close?.();
    }
  });
});

describeWithS3('signed publish to s3://', (server: S3TestServer) => {
  describeWithTools(['gpg', 'createrepo_c'], 'write order', () => {
    let dir: string;
    let cleanup: () => Promise<void>;
    let f: Fixture;
    const prefix = s3TestPrefix();
    beforeAll(async () => {
      ({ dir, cleanup } = await makeTempDir('ovr-signs3-'));
      f = await fixture(dir);
    });
    afterAll(async () => {
      await emptyS3Prefix(server, server.bucket, prefix);
      await f.gpg.close();
      await cleanup();
    });

    it('s3://: the signature and repomd.xml disagree only right before repomd.xml is replaced', async () => {
      await checkWriteOrder(f, testS3Target(server, server.bucket, `${prefix}signed`));
    });
  });
});
