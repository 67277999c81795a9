import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { type Store } from '@ovirt-repo/core';
import { describeWithHosts, describeWithTools, type S3TestServer, type TestHosts, s3TestEnv } from '@ovirt-repo/test-support';
import { listSnapshotIds, readLatest, verifySnapshot } from '../src/index.js';
import { ensurePluginBuilt, repoRoot } from './helpers/built.js';
import { makeRepo, pkg } from './helpers/fixtures.js';
import { historyChain, openS3TestStore, packagesOf } from './helpers/s3-history.js';

const bin = join(repoRoot, 'packages', 'cli', 'bin', 'run.js');
const HOSTS = 8;

interface Run {
  code: number | null;
  out: Record<string, unknown>;
  stderr: string;
}

/** The real binary on test host `i` (its own network namespace and host name), with --json. */
function onHost(hosts: TestHosts, i: number, args: string[], env: Record<string, string>): Promise<Run> {
  const [command, ...rest] = [...hosts.on(i), process.execPath, bin, ...args, '--json'];
  const child = spawn(command!, rest, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      let out: Record<string, unknown>;
      try {
        out = JSON.parse(stdout) as Record<string, unknown>;
      } catch {
        out = { unparsed: stdout };
      }
      resolve({ code, out, stderr });
    }),
  );
}

describeWithTools(['createrepo_c', 'ip', 'unshare'], 'writers on many hosts sharing an s3:// store', () => {
  describeWithHosts('writers on many hosts sharing an s3:// store (Ceph RGW, network namespaces)', HOSTS, (hosts: TestHosts, server: S3TestServer) => {
    let dir: string, location: string, store: Store, close: () => Promise<void>;
    const hostEnv = () => s3TestEnv(server, hosts.endpoint);

    beforeAll(() => ensurePluginBuilt());
    beforeEach(async () => ({ dir, location, store, close } = await openS3TestStore(server, 's3-hosts-')));
    afterEach(() => close());

    const deploy = (i: number, from: string) => onHost(hosts, i, ['mirror', 'sync', 'exp', '--mode', 'additive', '--from', from, '--store', location, '--base-url', 'https://repos.example.org/ci'], hostEnv());

    it(`${HOSTS} additive deploys of ${HOSTS} builds racing from ${HOSTS} hosts all land, in one strictly ordered history with no orphaned commit`, async () => {
      const base = await makeRepo(join(dir, 'base'), [pkg('base')]);
      expect(await deploy(1, base)).toMatchObject({ code: 0, out: { changed: true, commitAttempts: 1 } });
      let expected = ['base-1.0-1.noarch.rpm'];
      // One round takes about 25 s here (the repo's lease serialises the 8); more rounds found nothing more.
      for (const round of [1]) {
        const builds = await Promise.all(Array.from({ length: HOSTS }, (_, k) => makeRepo(join(dir, `r${round}-b${k + 1}`), [pkg(`build${round}x${k + 1}`)])));
        const runs = await Promise.all(builds.map((from, k) => deploy(k + 1, from)));
        for (const r of runs) expect(r).toMatchObject({ code: 0, out: { changed: true } });
        expected = [...expected, ...builds.map((_, k) => `build${round}x${k + 1}-1.0-1.noarch.rpm`)].sort();

        const chain = await historyChain(store, 'exp');
        expect(chain).toHaveLength(1 + round * HOSTS);
        const latest = await readLatest(store, 'exp');
        expect(latest).toBe(chain.at(-1)!.id);
        expect(await packagesOf(store, 'exp', latest!)).toEqual(expected);
        // No committed snapshot outside the chain: every loser removed the one it could not commit.
        expect(await listSnapshotIds(store, 'exp')).toEqual(chain.map((r) => r.id));
        // Every latest there ever was verifies, and each holds one package more than its parent.
        for (const [n, r] of chain.entries()) {
          expect((await verifySnapshot(store, 'exp', r.id)).id).toBe(r.id);
          expect(await packagesOf(store, 'exp', r.id)).toHaveLength(n + 1);
        }
        // Each deploy's snapshot is in the chain on the parent it reports, committed from its own host; a
        // writer loses only to commits before its own, each loss on a later parent: attempts <= position.
        const position = new Map(chain.map((r, n) => [r.id, n]));
        const commits = chain.slice(1 + (round - 1) * HOSTS);
        let attempts = 0;
        for (const [k, r] of runs.entries()) {
          const at = position.get(r.out.snapshot as string)!;
          expect(chain[at]).toMatchObject({ parent: r.out.previous, host: `test-host-${k + 1}` });
          const made = r.out.commitAttempts as number;
          expect(made).toBeGreaterThanOrEqual(1);
          expect(made).toBeLessThanOrEqual(at - (round - 1) * HOSTS);
          attempts += made;
        }
        expect(new Set(runs.map((r) => r.out.snapshot))).toEqual(new Set(commits.map((r) => r.id)));
        expect(attempts).toBeGreaterThanOrEqual(HOSTS);
        process.stderr.write(`round ${round}: ${HOSTS} deploys, ${attempts} commit attempts\n`);
      }
    }, 300_000);

    it('gc in a loop on one host while deploys run on the others: every snapshot gc keeps verifies after each round, and every deploy lands', async () => {
      const base = await makeRepo(join(dir, 'base'), [pkg('base')]);
      expect(await deploy(1, base)).toMatchObject({ code: 0, out: { changed: true } });
      const deployers = Array.from({ length: HOSTS - 1 }, (_, k) => k + 2);
      const builds = await Promise.all(deployers.flatMap((h) => [1, 2].map((n) => makeRepo(join(dir, `h${h}-${n}`), [pkg(`h${h}n${n}`)]))));
      let deploying = true;
      const deploys = Promise.all(
        deployers.map(async (h, k) => {
          const runs: Run[] = [];
          for (const from of builds.slice(2 * k, 2 * k + 2)) runs.push(await deploy(h, from));
          return runs;
        }),
      ).finally(() => (deploying = false));
      let rounds = 0;
      let removed = 0;
      do {
        const gc = await onHost(hosts, 1, ['gc', '--keep', '2', '--store', location], hostEnv());
        expect(gc).toMatchObject({ code: 0 });
        rounds++;
        removed += (gc.out.removedSnapshots as unknown[]).length;
        for (const kept of gc.out.keptSnapshots as { repo: string; id: string }[]) expect((await verifySnapshot(store, kept.repo, kept.id)).id).toBe(kept.id);
      } while (deploying);
      for (const r of (await deploys).flat()) expect(r).toMatchObject({ code: 0, out: { changed: true } });
      process.stderr.write(`gc: ${rounds} rounds, ${removed} snapshots removed while ${builds.length} deploys ran\n`);
      expect(removed).toBeGreaterThan(0);
      const latest = await readLatest(store, 'exp');
      expect((await verifySnapshot(store, 'exp', latest)).id).toBe(latest);
      expect(await packagesOf(store, 'exp', latest!)).toEqual(['base-1.0-1.noarch.rpm', ...deployers.flatMap((h) => [`h${h}n1-1.0-1.noarch.rpm`, `h${h}n2-1.0-1.noarch.rpm`])].sort());
      for (const id of await listSnapshotIds(store, 'exp')) expect((await verifySnapshot(store, 'exp', id)).id).toBe(id);
    }, 300_000);
  });
});
