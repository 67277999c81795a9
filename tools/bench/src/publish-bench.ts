import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { changePackage, makeRepo } from './corpus.js';
import { paired, timeProcess } from './measure.js';
import { hasCommand, ovirtRepoJson, type SyncJson } from './product.js';
import { pairedRow, ratioOf, skippedRow, type Row } from './row.js';

export interface PublishBenchOptions {
  workDir: string;
  packages: number;
  runs: number;
}

/** The part of `publish --json` checked here; the rest may still change while the plugin is finished. */
interface PublishJson {
  changed: boolean;
}

const PEER = 'rsync -a --copy-links';

/**
 * publish (issue 5) of a store snapshot to a local directory against `rsync -a --copy-links` of the same
 * snapshot: the plain copy every publish must at least do (the bytes of the packages the destination
 * lacks, and the metadata), with no history, no checksum verification and no atomic repomd.xml switch.
 * --copy-links because a snapshot reaches its packages through a `pool` symlink; the store holds only
 * this repo, so rsync copies the same packages publish does. Fresh: an empty destination each run;
 * incremental: the next snapshot, one package changed, onto the previous publish.
 */
export async function benchPublish(o: PublishBenchOptions): Promise<Row[]> {
  const freshName = `publish, fresh, ${o.packages} pkgs`;
  const incrName = 'publish, 1 pkg changed';
  // The publisher is being finished in parallel: without the command, the rows say so instead of failing.
  if (!(await hasCommand(['publish'], o.workDir))) {
    const why = '`ovirt-repo publish` is not available in this build';
    return [skippedRow(freshName, PEER, {}, why), skippedRow(incrName, PEER, {}, why)];
  }
  const base = join(o.workDir, 'publish');
  try {
    return await measurePublish(o, base, freshName, incrName);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

async function measurePublish(o: PublishBenchOptions, base: string, freshName: string, incrName: string): Promise<Row[]> {
  const source = join(base, 'source');
  const store = join(base, 'store');
  const ours = join(base, 'ours');
  const peer = join(base, 'peer');
  await makeRepo(source, o.packages);

  // A new snapshot of the source (untimed setup); returns its directory.
  const snapshot = async (): Promise<string> => {
    const { json } = await ovirtRepoJson<SyncJson>(['mirror', 'sync', 'tested', '--from', source, '--store', store, '--no-index'], base);
    if (!json.snapshot) throw new Error('mirror sync made no snapshot for the publish benchmark');
    return join(store, 'yum', 'tested', json.snapshot);
  };
  const publish = (from: string) => async () => {
    const { ms, json } = await ovirtRepoJson<PublishJson>(['publish', '--from', from, '--to', ours], base);
    if (!json.changed) throw new Error(`publish --from ${from} changed nothing`);
    return ms;
  };
  // The trailing slash copies the snapshot's contents, as publish does.
  const rsync = (from: string) => () => timeProcess({ file: 'rsync', args: ['-a', '--copy-links', `${from}/`, `${peer}/`], cwd: base });

  const first = await snapshot();
  const fresh = await paired(freshName, o.runs, async () => {
    await rm(ours, { recursive: true, force: true });
    await rm(peer, { recursive: true, force: true });
    return { ours: publish(first), peer: rsync(first) };
  });

  const generation = new Map<number, number>();
  const incremental = await paired(incrName, o.runs, async (i) => {
    const idx = (i * 89) % o.packages;
    const prev = generation.get(idx) ?? 0;
    generation.set(idx, i + 1);
    await changePackage(source, idx, prev, i + 1);
    const next = await snapshot();
    return { ours: publish(next), peer: rsync(next) };
  });

  const share = ratioOf(incremental.oursMs, fresh.oursMs);
  return [
    pairedRow(fresh, PEER, {}, 'informational (issue 5 sets no speed goal); publish also verifies checksums and writes new metadata with history'),
    pairedRow(incremental, PEER, {}, `informational; our incremental publish takes ${(share * 100).toFixed(0)}% of our fresh one`),
  ];
}
