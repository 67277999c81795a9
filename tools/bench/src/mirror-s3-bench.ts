import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { s3TestServer } from '@ovirt-repo/test-support';
import { makeRepo } from './corpus.js';
import { paired, runProcess, timeProcess } from './measure.js';
import { ovirtRepoJson, type SyncJson } from './product.js';
import { environment, REMOTE } from './publish-s3-bench.js';
import { pairedRow, skippedRow, type Row } from './row.js';

export interface MirrorS3BenchOptions {
  workDir: string;
  packages: number;
  runs: number;
}

/** Uploads at a time on both sides: the sync's default --workers, and rclone's --transfers set to match. */
const PARALLEL = 4;
/** The OSD keeps everything in memory: a bound on what one row writes. */
const MAX_PACKAGES = 1000;
const PEER = `rclone copy --transfers ${PARALLEL} of the same repo`;

/**
 * A first sync of a repo of `packages` packages (a directory on this machine) into an empty s3:// store
 * against `rclone copy` of the same directory into the same bucket: the same objects read and uploaded,
 * while the sync also verifies every package, writes the snapshot's metadata, its record and the pointers,
 * and takes its lease. Pairs alternate, each into a new prefix. Against the test Ceph RGW
 * (tools/ceph-rgw/start.sh); without it, or without rclone, the row is skipped and says why.
 */
export async function benchMirrorS3(o: MirrorS3BenchOptions): Promise<Row[]> {
  const count = Math.min(o.packages, MAX_PACKAGES);
  const name = `first sync of ${count} pkgs into an s3:// store`;
  const server = s3TestServer();
  if (!server) return [skippedRow(name, PEER, {}, 'no S3 server: start one with tools/ceph-rgw/start.sh')];
  if ((await execa('rclone', ['version'], { reject: false, stdin: 'ignore' })).exitCode !== 0) return [skippedRow(name, PEER, {}, 'rclone is missing (apt-get install rclone)')];
  const base = join(o.workDir, 'mirror-s3');
  const root = `bench-${randomBytes(4).toString('hex')}`;
  const env = environment(server);
  try {
    const source = join(base, 'source');
    await makeRepo(source, count);
    const result = await paired(name, o.runs, async (i) => ({
      ours: async () => {
        const store = `s3://${server.bucket}/${root}/ours-${i}`;
        const r = await ovirtRepoJson<SyncJson>(['mirror', 'sync', 'bench', '--from', source, '--store', store, '--base-url', 'https://repos.example.org/ci', '--workers', String(PARALLEL)], base, env);
        if (r.json.downloaded.count !== count) throw new Error(`first sync into ${store}: expected ${count} downloads, got ${JSON.stringify(r.json).slice(0, 400)}`);
        return r.ms;
      },
      peer: () => timeProcess({ file: 'rclone', args: ['copy', '--transfers', String(PARALLEL), `${source}/`, `${REMOTE}:${server.bucket}/${root}/peer-${i}`], cwd: base, env }),
    }));
    return [pairedRow(result, PEER, {}, 'informational (issue 17 sets no speed goal); Ceph RGW on loopback with an in-memory OSD')];
  } finally {
    await runProcess({ file: 'rclone', args: ['purge', `${REMOTE}:${server.bucket}/${root}`], env }).catch(() => undefined);
    await rm(base, { recursive: true, force: true });
  }
}
