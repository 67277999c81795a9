import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeCorpus } from '@ovirt-repo/rpm-writer';
import { ovirtRepo } from './cli.js';
import { makeBuild } from './fixtures.js';

export interface SyncResult {
  repo: string;
  snapshot: string;
  url: string;
  changed: boolean;
  added: number;
  removed: number;
}
export interface InjectResult {
  status: string;
  files: Array<{ path: string; injected: Array<{ section: string; url: string }> }>;
}
export interface PublishResult {
  added: unknown[];
  removed: unknown[];
  kept: unknown[];
  listed: { total: number };
}

export interface FlowPaths {
  work: string;
  store: string;
  config: string;
  lock: string;
  published: string;
}

/** The flow's directories: a store, the job's working files, and the public latest.tested repo. */
export function flowPaths(work: string): FlowPaths {
  return {
    work,
    store: join(work, 'store'),
    config: join(work, 'ost', 'reposync-config.repo'),
    lock: join(work, 'ost', 'run.lock.json'),
    published: join(work, 'public', 'tested', 'master', 'el9'),
  };
}

/** build-artifacts: each build job's RPMs become a mini repo. */
export async function buildJobs(work: string): Promise<Record<string, string>> {
  const builds: Record<string, string> = {};
  for (const project of ['ovirt-engine', 'vdsm']) {
    const dir = await makeBuild(work, project);
    await ovirtRepo(['minirepo', 'create', dir]);
    await ovirtRepo(['minirepo', 'verify', dir]);
    builds[project] = dir;
  }
  return builds;
}

/** deploy-to-experimental: two flows at once, each its own repo, so neither waits for or sees the other. */
export async function deployJobs(p: FlowPaths, builds: Record<string, string>): Promise<SyncResult[]> {
  return Promise.all([
    ovirtRepo<SyncResult>(['mirror', 'sync', 'experimental-master-el9', '--mode', 'additive', '--from', builds['ovirt-engine'], '--store', p.store]),
    ovirtRepo<SyncResult>(['mirror', 'sync', 'experimental-4.5-el9', '--mode', 'additive', '--from', builds['vdsm'], '--store', p.store]),
  ]);
}

/** The mirror cron job: an upstream repo (here a fixture repo of 40 packages) mirrored into the store. */
export async function mirrorUpstream(p: FlowPaths): Promise<SyncResult> {
  const upstream = join(p.work, 'upstream', 'centos-stream-9-baseos');
  await mkdir(upstream, { recursive: true });
  await makeCorpus(40, upstream);
  await ovirtRepo(['minirepo', 'create', upstream]);
  return ovirtRepo<SyncResult>(['mirror', 'sync', 'centos-stream-9-baseos', '--from', upstream, '--store', p.store]);
}

/** The system test's reposync config, as OST keeps it: upstream mirrors and the experimental repo. */
export async function writeReposyncConfig(p: FlowPaths): Promise<void> {
  await mkdir(join(p.work, 'ost'), { recursive: true });
  await writeFile(
    p.config,
    [
      '[main]',
      'reposdir=/etc/reposync.repos.d',
      '',
      '# upstream mirror: replaced by its snapshot',
      '[centos-stream-9-baseos]',
      'name=CentOS Stream 9 - BaseOS',
      'mirrorlist=https://mirrors.centos.org/metalink?repo=centos-baseos-9-stream&arch=$basearch',
      'gpgcheck=0',
      '',
      '[experimental-master-el9]',
      'name=oVirt master experimental',
      'baseurl=https://example.invalid/experimental/master/el9/',
      'gpgcheck=0',
      '',
    ].join('\n'),
  );
}

/** system tests: inject snapshot URLs into the config and record exactly which in a lock file. */
export async function systemTestJob(p: FlowPaths): Promise<InjectResult> {
  const map = pathToFileURL(join(p.store, 'yum', 'all_latest.json')).href;
  return ovirtRepo<InjectResult>(['inject', p.config, '--mirrors', map, '--lock-out', p.lock]);
}

/** The stand-in test: what the injected config points at holds the tested build. */
export async function standInTest(p: FlowPaths): Promise<string[]> {
  const text = await readFile(p.config, 'utf8');
  const baseurls = [...text.matchAll(/^baseurl\s*=\s*(\S+)/gm)].map((m) => m[1]);
  const found: string[] = [];
  for (const url of baseurls) {
    const repomd = await readFile(new URL('repodata/repomd.xml', url.endsWith('/') ? url : `${url}/`), 'utf8');
    if (!repomd.includes('<data type="primary">')) throw new Error(`stand-in test: ${url} has no primary metadata`);
    found.push(url);
  }
  return found;
}

/** publish-tested: exactly what the run tested becomes latest.tested, keeping history. */
export async function publishJob(p: FlowPaths): Promise<PublishResult> {
  return ovirtRepo<PublishResult>(['publish', '--from-lock', p.lock, '--repo', 'experimental-master-el9', '--to', p.published]);
}
