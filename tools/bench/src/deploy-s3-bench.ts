import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { s3TestServer } from '@ovirt-repo/test-support';
import { makeOnePackageRepo, makeRepo } from './corpus.js';
import { fromSamples, paired, runProcess } from './measure.js';
import { ovirtRepoJson, type SyncJson } from './product.js';
import { environment, REMOTE } from './publish-s3-bench.js';
import { pairedRow, skippedRow, type Row } from './row.js';

export interface DeployS3BenchOptions {
  workDir: string;
  packages: number;
  runs: number;
}

const PEER = 'same deploy into a local store';

/**
 * The deploy-to-experimental job into an s3:// store against the same into a local store: an additive
 * sync of a build's one-package mini repo into a repo of `packages` packages (both stores filled by an
 * untimed first sync), pairs alternating. Against the test Ceph RGW (tools/ceph-rgw/start.sh, as the S3
 * tests find it); without it the row is skipped and says why.
 */
export async function benchDeployS3(o: DeployS3BenchOptions): Promise<Row[]> {
  const name = `deploy +1 pkg into ${o.packages} pkgs, s3:// store`;
  const server = s3TestServer();
  if (!server) return [skippedRow(name, PEER, {}, 'no S3 server: start one with tools/ceph-rgw/start.sh')];
  const base = join(o.workDir, 'deploy-s3');
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const env = environment(server);
  const s3 = `s3://${server.bucket}/${prefix}`;
  const local = join(base, 'store');
  const sync = (from: string, store: string) => ovirtRepoJson<SyncJson>(['mirror', 'sync', 'exp', '--mode', 'additive', '--from', from, '--store', store, '--base-url', 'https://repos.example.org/ci'], base, env);
  const add = async (build: string, store: string, expected: number) => {
    const r = await sync(join(base, build), store);
    if (!r.json.changed || r.json.packages !== expected || r.json.downloaded.count !== 1) {
      throw new Error(`additive sync of ${build} into ${store}: expected ${expected} packages and one download, got ${JSON.stringify(r.json).slice(0, 400)}`);
    }
    return r;
  };
  try {
    await makeRepo(join(base, 'source'), o.packages);
    await sync(join(base, 'source'), local);
    await sync(join(base, 'source'), s3);
    const inS3: number[] = [];
    const inLocal: number[] = [];
    const whole = await paired(name, o.runs, async (i) => {
      const build = `bench-build-${i}`;
      await makeOnePackageRepo(join(base, build), build);
      return {
        ours: async () => {
          const r = await add(build, s3, o.packages + i + 1);
          inS3.push(r.json.durationMs);
          return r.ms;
        },
        peer: async () => {
          const r = await add(build, local, o.packages + i + 1);
          inLocal.push(r.json.durationMs);
          return r.ms;
        },
      };
    });
    const note = 'informational (issue 17 sets no speed goal); Ceph RGW on loopback with an in-memory OSD';
    return [pairedRow(whole, PEER, {}, note), pairedRow(fromSamples('same, in-process (--json durationMs)', inS3, inLocal), PEER, {}, note)];
  } finally {
    // rclone (the publish row's peer) removes what the row wrote; the RGW's OSD is in memory.
    await runProcess({ file: 'rclone', args: ['purge', `${REMOTE}:${server.bucket}/${prefix}`], env }).catch(() => undefined);
    await rm(base, { recursive: true, force: true });
  }
}
