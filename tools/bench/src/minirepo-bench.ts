import { cp, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makeCorpus, writeRpm } from '@ovirt-repo/rpm-writer';
import { paired, timeProcess, type PairedResult } from './measure.js';
import { ovirtRepoBin } from './paths.js';

export interface MinirepoBenchOptions {
  workDir: string;
  packages: number;
  workers: number;
  runs: number;
}

/**
 * minirepo create against createrepo_c --no-database on the same corpus, same worker count: a full run,
 * then an --update run after adding one package (each pair adds a new one to both sides).
 */
export async function benchMinirepo(o: MinirepoBenchOptions): Promise<Array<PairedResult & { peerName: string; goal: string }>> {
  const source = join(o.workDir, 'corpus');
  await mkdir(source, { recursive: true });
  await makeCorpus(o.packages, source);
  const ours = join(o.workDir, 'ours');
  const peer = join(o.workDir, 'peer');
  await cp(source, ours, { recursive: true });
  await cp(source, peer, { recursive: true });
  const w = String(o.workers);
  const runOurs = (update: boolean) => () =>
    timeProcess({ file: process.execPath, args: [ovirtRepoBin, 'minirepo', 'create', ours, '--workers', w, ...(update ? ['--update'] : [])] });
  const runPeer = (update: boolean) => () =>
    timeProcess({ file: 'createrepo_c', args: ['--no-database', '--workers', w, '--quiet', ...(update ? ['--update'] : []), peer] });

  const full = await paired(`minirepo create, ${o.packages} packages`, o.runs, async () => {
    await rm(join(ours, 'repodata'), { recursive: true, force: true });
    await rm(join(peer, 'repodata'), { recursive: true, force: true });
    return { ours: runOurs(false), peer: runPeer(false) };
  });

  // Both sides need existing metadata for --update to have something to reuse.
  await runOurs(false)();
  await runPeer(false)();
  const update = await paired(`minirepo create --update, +1 package`, o.runs, async (i) => {
    const spec = { name: `bench-added-${i}`, version: '1.0', release: '1', arch: 'noarch', summary: 'added by the benchmark' };
    await writeRpm(spec, ours);
    await writeRpm(spec, peer);
    return { ours: runOurs(true), peer: runPeer(true) };
  });

  return [
    { ...full, peerName: 'createrepo_c --no-database', goal: '<= 1.0' },
    { ...update, peerName: 'createrepo_c --update --no-database', goal: '<= 1.0' },
  ];
}
