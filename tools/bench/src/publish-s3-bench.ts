import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { s3TestServer, type S3TestServer } from '@ovirt-repo/test-support';
import { makeRepo } from './corpus.js';
import { paired, runProcess, timeProcess } from './measure.js';
import { hasCommand, ovirtRepoJson, type SyncJson } from './product.js';
import { pairedRow, skippedRow, type Row } from './row.js';

export interface PublishS3BenchOptions {
  workDir: string;
  packages: number;
  runs: number;
}

/** Uploads at a time on both sides: the s3 target's default, and rclone's --transfers set to match. */
const PARALLEL = 8;
const PEER = `rclone sync --copy-links --transfers ${PARALLEL}`;
/** Each run uploads the whole snapshot twice to the test RGW (an in-memory OSD): kept small. */
const MAX_PACKAGES = 300;
export const REMOTE = 'ovirtbench';

/**
 * publish of a store snapshot to `s3://` against `rclone sync` of the same snapshot to the same bucket
 * (another prefix), both fresh each run: the plain upload every S3 publish must at least do, without
 * history, checksum verification or repomd.xml last. Needs the test Ceph RGW (tools/ceph-rgw/start.sh, as
 * the S3 tests find it) and Debian's rclone; without either the row is skipped and says why.
 */
export async function benchPublishS3(o: PublishS3BenchOptions): Promise<Row[]> {
  const count = Math.min(o.packages, MAX_PACKAGES);
  const name = `publish to s3://, fresh, ${count} pkgs`;
  const server = s3TestServer();
  if (!server) return [skippedRow(name, PEER, {}, 'no S3 server: start one with tools/ceph-rgw/start.sh')];
  if ((await execa('rclone', ['version'], { reject: false, stdin: 'ignore' })).exitCode !== 0) return [skippedRow(name, PEER, {}, 'rclone is missing (apt-get install rclone)')];
  if (!(await hasCommand(['publish'], o.workDir))) return [skippedRow(name, PEER, {}, '`ovirt-repo publish` is not available in this build')];
  const base = join(o.workDir, 'publish-s3');
  const root = `bench-${randomBytes(4).toString('hex')}`;
  const env = environment(server);
  const purge = () => runProcess({ file: 'rclone', args: ['purge', `${REMOTE}:${server.bucket}/${root}`], env }).catch(() => undefined);
  try {
    const source = join(base, 'source');
    const store = join(base, 'store');
    await makeRepo(source, count);
    const { json } = await ovirtRepoJson<SyncJson>(['mirror', 'sync', 'tested', '--from', source, '--store', store, '--no-index'], base);
    if (!json.snapshot) throw new Error('mirror sync made no snapshot for the s3 publish benchmark');
    const snapshot = join(store, 'yum', 'tested', json.snapshot);
    const result = await paired(name, o.runs, async (i) => {
      await purge();
      return {
        ours: async () => {
          const run = await ovirtRepoJson<{ changed: boolean }>(['publish', '--from', snapshot, '--to', `s3://${server.bucket}/${root}/ours-${i}`, '--target-option', `parallel=${PARALLEL}`], base, env);
          if (!run.json.changed) throw new Error('publish to s3:// changed nothing');
          return run.ms;
        },
        peer: () => timeProcess({ file: 'rclone', args: ['sync', '--copy-links', '--transfers', String(PARALLEL), `${snapshot}/`, `${REMOTE}:${server.bucket}/${root}/peer-${i}`], cwd: base, env }),
      };
    });
    return [pairedRow(result, PEER, {}, 'informational (issue 17 sets no speed goal); publish also verifies checksums, writes metadata with history, takes a lease and writes repomd.xml last')];
  } finally {
    await purge();
    await rm(base, { recursive: true, force: true });
  }
}

/**
 * The AWS environment for ovirt-repo and an rclone remote defined by variables (no rclone.conf), both
 * pointed at the test server with the test user's keys.
 */
export function environment(server: S3TestServer): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('AWS_') && !k.startsWith('RCLONE_')) env[k] = v;
  const r = `RCLONE_CONFIG_${REMOTE.toUpperCase()}`;
  return {
    ...env,
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    AWS_REGION: server.region,
    AWS_ENDPOINT_URL_S3: server.endpoint,
    [`${r}_TYPE`]: 's3',
    [`${r}_PROVIDER`]: 'Ceph',
    [`${r}_ACCESS_KEY_ID`]: server.accessKeyId,
    [`${r}_SECRET_ACCESS_KEY`]: server.secretAccessKey,
    [`${r}_ENDPOINT`]: server.endpoint,
    [`${r}_REGION`]: server.region,
    [`${r}_NO_CHECK_BUCKET`]: 'true',
    RCLONE_CONFIG: '/dev/null',
  };
}
