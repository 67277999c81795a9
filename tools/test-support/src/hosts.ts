import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { s3TestServer, type S3TestServer } from './s3.js';
import { describeNeeding } from './system-tools.js';

/** tools/netns/hosts.sh (this file is tools/test-support/src/hosts.ts, or dist/hosts.js once built). */
export const HOSTS_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'netns', 'hosts.sh');

/** Test hosts made by tools/netns/hosts.sh: network namespaces with host names of their own, RGW reachable. */
export interface TestHosts {
  count: number;
  /** The S3 endpoint as the hosts reach it (`http://10.213.0.1:7480`), not the root namespace's. */
  endpoint: string;
  /** The command prefix that runs the rest of a command line on host `i` (1..count). */
  on(i: number): string[];
}

function makeHosts(count: number): { hosts?: TestHosts; problem: string } {
  if (!s3TestServer()) return { problem: 'no S3 server (see describeWithS3)' };
  let out: string;
  try {
    // The relays run on the Node that runs the tests.
    out = execFileSync(HOSTS_SCRIPT, ['up', String(count), '--env'], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE: process.execPath } });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    return { problem: `cannot make ${count} test hosts (network namespaces; needs root and iproute2): ${(err.stderr || err.message).trim()}` };
  }
  const endpoint = /OVIRT_REPO_TEST_HOSTS_ENDPOINT=(\S+)/.exec(out)?.[1];
  if (!endpoint) return { problem: `${HOSTS_SCRIPT} up printed no endpoint` };
  return { hosts: { count, endpoint, on: (i) => [HOSTS_SCRIPT, 'exec', String(i)] }, problem: '' };
}

/**
 * `describe` for suites that run writers on `count` different hosts against the real S3 server: network
 * namespaces joined by veth to a gateway that relays to RGW (tools/netns/hosts.sh; they stay up for the
 * next run, `hosts.sh down` removes them), each command run with its own host name. Under CI=true a
 * machine that cannot make them fails the suite; elsewhere the suite is skipped visibly.
 */
export function describeWithHosts(name: string, count: number, fn: (hosts: TestHosts, server: S3TestServer) => void): void {
  const { hosts, problem } = makeHosts(count);
  const missing = hosts ? undefined : { test: 'has the test hosts it needs', error: `${name}: ${problem}`, skipped: `${name}: ${problem}` };
  const none: S3TestServer = { endpoint: '', accessKeyId: '', secretAccessKey: '', bucket: '', region: '' };
  describeNeeding(name, missing, () => fn(hosts ?? { count, endpoint: '', on: () => [] }, s3TestServer() ?? none));
}
