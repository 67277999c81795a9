import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { changePackage, makeRepo } from './corpus.js';
import { median, paired, repeat, runProcess, type Command } from './measure.js';
import { startNginx, type Nginx } from './nginx.js';
import { ovirtRepoJson, type SyncJson } from './product.js';
import { pairedRow, ratioOf, type Row } from './row.js';

export interface MirrorBenchOptions {
  workDir: string;
  packages: number;
  runs: number;
  /** Parallel downloads on both sides: ovirt-repo --workers and dnf's max_parallel_downloads. */
  downloads: number;
}

/**
 * mirror sync against dnf reposync (the tool oVirt's mirror jobs used) of one createrepo_c repo served
 * by a real nginx on loopback (issue 3): a fresh sync, a re-sync after one upstream package changed, and a
 * sync with no change. nginx is stopped however the benchmark ends.
 */
export async function benchMirror(o: MirrorBenchOptions): Promise<Row[]> {
  const base = join(o.workDir, 'mirror');
  const source = join(base, 'source');
  await makeRepo(source, o.packages);
  const nginx = await startNginx(source, join(base, 'nginx'));
  try {
    return await measureMirror(o, base, source, nginx);
  } finally {
    await nginx.stop();
    await rm(base, { recursive: true, force: true });
  }
}

async function measureMirror(o: MirrorBenchOptions, base: string, source: string, nginx: Nginx): Promise<Row[]> {
  const store = join(base, 'store');
  const peerDir = join(base, 'reposync');
  const dnfConf = join(base, 'dnf.conf');
  // An empty [main]: neither the host's dnf.conf nor its repos take part (reposdir=/dev/null below).
  await writeFile(dnfConf, '[main]\n');
  const url = `${nginx.url}/`;
  let cacheNo = 0;

  // Counts the requests one command makes, from nginx's access log (runs are strictly sequential).
  const counted = async <T>(f: () => Promise<T>): Promise<{ value: T; requests: number }> => {
    const before = await nginx.requests();
    const value = await f();
    return { value, requests: (await nginx.requests()) - before };
  };

  const sync = async (check: (r: SyncJson) => string | undefined): Promise<{ ms: number; json: SyncJson; requests: number }> => {
    const { value, requests } = await counted(() =>
      ovirtRepoJson<SyncJson>(['mirror', 'sync', 'bench', '--from', url, '--store', store, '--workers', String(o.downloads)], base),
    );
    const problem = check(value.json);
    if (problem) throw new Error(`mirror sync: ${problem}: ${JSON.stringify(value.json).slice(0, 400)}`);
    return { ...value, requests };
  };

  // dnf reposync with a cold cache every run (a fresh cachedir), downloading metadata as our sync stores it.
  const reposync = async (extra: string[]): Promise<{ ms: number; requests: number }> => {
    const cache = join(base, `dnf-cache-${cacheNo++}`);
    const cmd: Command = {
      file: 'dnf',
      args: [
        'reposync', '-q', '--config', dnfConf, '--nogpgcheck',
        `--repofrompath=src,${url}`, '--repoid=src', '-p', peerDir, '--download-metadata',
        '--setopt=reposdir=/dev/null', `--setopt=cachedir=${cache}`, `--setopt=max_parallel_downloads=${o.downloads}`,
        ...extra,
      ],
      cwd: base,
    };
    const { value, requests } = await counted(() => runProcess(cmd));
    const rpms = (await readdir(join(peerDir, 'src'))).filter((f) => f.endsWith('.rpm')).length;
    if (rpms !== o.packages) throw new Error(`dnf reposync left ${rpms} packages in ${peerDir}, expected ${o.packages}`);
    await rm(cache, { recursive: true, force: true });
    return { ms: value.ms, requests };
  };

  // Fresh: an empty store against an empty download path, both with nothing cached.
  const freshReq = { ours: 0, peer: 0 };
  const fresh = await paired(`mirror sync, fresh, ${o.packages} pkgs`, o.runs, async () => {
    await rm(store, { recursive: true, force: true });
    await rm(peerDir, { recursive: true, force: true });
    await mkdir(peerDir, { recursive: true });
    return {
      ours: async () => {
        const r = await sync((j) => (j.changed && j.downloaded.count === o.packages ? undefined : `expected ${o.packages} downloads`));
        freshReq.ours = r.requests;
        return r.ms;
      },
      peer: async () => {
        const r = await reposync([]);
        freshReq.peer = r.requests;
        return r.ms;
      },
    };
  });

  // Re-sync: each pair changes a different upstream package; both sides update what they already have
  // (dnf reposync --delete, like our mirror mode, drops the package that left the source).
  const generation = new Map<number, number>();
  const resync = await paired(`mirror re-sync, 1 pkg changed`, o.runs, async (i) => {
    const idx = (i * 97) % o.packages;
    const prev = generation.get(idx) ?? 0;
    generation.set(idx, i + 1);
    await changePackage(source, idx, prev, i + 1);
    return {
      ours: async () => (await sync((j) => (j.changed && j.downloaded.count === 1 ? undefined : 'expected one download'))).ms,
      peer: async () => (await reposync(['--delete'])).ms,
    };
  });

  // No change: the source is as it was at the last sync.
  let worstRequests = 0;
  const inProcess: number[] = [];
  const unchanged = await repeat(o.runs, async () => async () => {
    const r = await sync((j) => (j.changed ? 'expected no new snapshot' : undefined));
    worstRequests = Math.max(worstRequests, r.requests);
    inProcess.push(r.json.durationMs);
    return r.ms;
  });
  const unchangedMs = median(unchanged);

  return [
    pairedRow(fresh, 'dnf reposync --download-metadata', { maxRatio: 1 }, `HTTP requests: ovirt-repo ${freshReq.ours}, dnf ${freshReq.peer}; ${o.downloads} parallel downloads on both sides`),
    {
      name: 'mirror re-sync vs own fresh sync',
      oursMs: resync.oursMs,
      peerName: 'ovirt-repo fresh sync',
      peerMs: fresh.oursMs,
      ratio: ratioOf(resync.oursMs, fresh.oursMs),
      goal: { maxRatio: 0.1 },
      runs: resync.runs,
      note: 'ratio of medians (the re-sync and fresh runs are not paired)',
    },
    pairedRow(resync, 'dnf reposync --delete, same change', {}, 'informational: the issues set no goal against dnf here'),
    {
      name: 'mirror sync, no change',
      oursMs: unchangedMs,
      peerName: '-',
      peerMs: null,
      ratio: null,
      goal: { maxMs: 500, maxRequests: 1 },
      runs: unchanged.length,
      requests: worstRequests,
      note: `${worstRequests} HTTP request(s) (worst run); in-process ${Math.round(median(inProcess))} ms of the ${Math.round(unchangedMs)} ms, the rest is Node/oclif start-up`,
    },
  ];
}
