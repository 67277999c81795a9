import { cp, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makeCorpus, writeRpm } from '@ovirt-repo/rpm-writer';
import { median, paired, timeProcess } from './measure.js';
import { ovirtRepo, ovirtRepoJson } from './product.js';
import { pairedRow, type Row } from './row.js';

export interface MinirepoBenchOptions {
  workDir: string;
  packages: number;
  workers: number;
  runs: number;
}

/**
 * minirepo create against createrepo_c --no-database on the same corpus, same worker count: a full run,
 * then an --update run after adding one package (each pair adds a new one to both sides). Goal (issue 2):
 * at or below 1.0 for both. Also the CLI's start-up against bare Node, the floor of every command.
 */
export async function benchMinirepo(o: MinirepoBenchOptions): Promise<Row[]> {
  const base = join(o.workDir, 'minirepo');
  const source = join(base, 'corpus');
  await mkdir(source, { recursive: true });
  await makeCorpus(o.packages, source);
  const ours = join(base, 'ours');
  const peer = join(base, 'peer');
  await cp(source, ours, { recursive: true });
  await cp(source, peer, { recursive: true });
  const w = String(o.workers);
  // --json for the in-process time it reports (durationMs), to show how much of the total is start-up.
  let inProcess: number[] = [];
  const runOurs = (update: boolean) => async () => {
    const { ms, json } = await ovirtRepoJson<{ durationMs: number }>(['minirepo', 'create', ours, '--workers', w, ...(update ? ['--update'] : [])], base);
    inProcess.push(json.durationMs);
    return ms;
  };
  const startupNote = () => {
    const note = `in-process ${Math.round(median(inProcess))} ms (--json durationMs); the rest is Node start-up and loading the command`;
    inProcess = [];
    return note;
  };
  const runPeer = (update: boolean) => () =>
    timeProcess({ file: 'createrepo_c', args: ['--no-database', '--workers', w, '--quiet', ...(update ? ['--update'] : []), peer], cwd: base });

  // Start-up alone, the fixed cost every command pays: oclif and the plugin manifests on top of Node.
  const startup = await paired('start-up: ovirt-repo --help', o.runs, async () => ({
    ours: () => timeProcess(ovirtRepo(['--help'], base)),
    peer: () => timeProcess({ file: process.execPath, args: ['-e', '0'], cwd: base }),
  }));

  const full = await paired(`minirepo create, ${o.packages} pkgs`, o.runs, async () => {
    await rm(join(ours, 'repodata'), { recursive: true, force: true });
    await rm(join(peer, 'repodata'), { recursive: true, force: true });
    return { ours: runOurs(false), peer: runPeer(false) };
  });

  const fullNote = startupNote();
  // Both sides need existing metadata for --update to have something to reuse.
  await runOurs(false)();
  await runPeer(false)();
  inProcess = [];
  const update = await paired(`minirepo create --update, +1 pkg`, o.runs, async (i) => {
    const spec = { name: `bench-added-${i}`, version: '1.0', release: '1', arch: 'noarch', summary: 'added by the benchmark' };
    await writeRpm(spec, ours);
    await writeRpm(spec, peer);
    return { ours: runOurs(true), peer: runPeer(true) };
  });

  await rm(base, { recursive: true, force: true });
  return [
    pairedRow(startup, 'node -e 0 (bare Node)', {}, 'informational: issue 2 asks for a fast --help without a figure'),
    pairedRow(full, 'createrepo_c --no-database', { maxRatio: 1 }, fullNote),
    pairedRow(update, 'createrepo_c --update --no-database', { maxRatio: 1 }, startupNote()),
  ];
}
