import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeNeeding } from './system-tools.js';

/** The real S3 server the tests use (Ceph RGW from tools/ceph-rgw/start.sh) and the test user's keys. */
export interface S3TestServer {
  /** `http://127.0.0.1:7480` (no trailing slash). */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** A bucket that exists; tests work below a prefix of their own in it (see s3TestPrefix). */
  bucket: string;
  region: string;
}

const START = 'tools/ceph-rgw/start.sh (Debian: apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw ceph-common)';

/**
 * The environment's OVIRT_REPO_TEST_S3_* variables (what `.ci/run` exports), else the `env` file that
 * tools/ceph-rgw/start.sh leaves in its state directory, so a developer who started it once runs S3 tests
 * with nothing to set.
 */
function configured(): { server?: S3TestServer; problem: string } {
  let vars: Record<string, string | undefined> = process.env;
  if (!vars.OVIRT_REPO_TEST_S3_ENDPOINT) {
    const file = join(process.env.OVIRT_REPO_RGW_DIR ?? '/tmp/ovirt-repo-rgw', 'env');
    try {
      vars = Object.fromEntries([...readFileSync(file, 'utf8').matchAll(/^export (OVIRT_REPO_TEST_S3_\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    } catch {
      return { problem: `no S3 server: OVIRT_REPO_TEST_S3_ENDPOINT is not set and ${file} is missing; start one with ${START}` };
    }
  }
  const { OVIRT_REPO_TEST_S3_ENDPOINT: endpoint, OVIRT_REPO_TEST_S3_ACCESS_KEY: accessKeyId, OVIRT_REPO_TEST_S3_SECRET_KEY: secretAccessKey } = vars;
  if (!endpoint || !accessKeyId || !secretAccessKey) return { problem: 'OVIRT_REPO_TEST_S3_ENDPOINT, _ACCESS_KEY and _SECRET_KEY must all be set' };
  const server = { endpoint: endpoint.replace(/\/+$/, ''), accessKeyId, secretAccessKey, bucket: vars.OVIRT_REPO_TEST_S3_BUCKET ?? 'ovirt-repo-test', region: vars.OVIRT_REPO_TEST_S3_REGION ?? 'us-east-1' };
  // Answering at all is enough here (an S3 server answers an anonymous GET / with 200 or 403); the tests
  // themselves find out whether it works.
  try {
    execFileSync(process.execPath, ['-e', `fetch(process.argv[1], { signal: AbortSignal.timeout(3000) }).then(() => process.exit(0), () => process.exit(1))`, `${server.endpoint}/`], { stdio: 'ignore', timeout: 5000 });
  } catch {
    return { problem: `no S3 server answers at ${server.endpoint}; start one with ${START}` };
  }
  return { server, problem: '' };
}

let found: ReturnType<typeof configured> | undefined;

/** The test S3 server, or undefined when none is configured and answering. */
export function s3TestServer(): S3TestServer | undefined {
  return (found ??= configured()).server;
}

/**
 * `describe` for suites that need the real S3 server: `fn` receives it. In CI (CI=true) a missing or silent
 * server fails the suite (`.ci/run` starts one); elsewhere the suite is skipped with a visible message that
 * says how to start one. Never a mock or an emulator: these suites are about what a real server does.
 */
export function describeWithS3(name: string, fn: (server: S3TestServer) => void): void {
  const { server, problem } = (found ??= configured());
  const missing = server ? undefined : { test: 'has the S3 server it needs', error: `${name}: ${problem}`, skipped: `${name}: ${problem}` };
  // A skipped suite's body still runs to collect its tests: it gets a server that names nothing.
  describeNeeding(name, missing, () => fn(server ?? { endpoint: '', accessKeyId: '', secretAccessKey: '', bucket: '', region: '' }));
}

/** A fresh prefix (`t-<random>/`) for one test's objects, so tests sharing the server and bucket never meet. */
export function s3TestPrefix(): string {
  return `t-${randomBytes(6).toString('hex')}/`;
}

/**
 * The AWS environment that points a command or client at the test server (at `endpoint`, e.g. as a test
 * host reaches it) with the test user's keys, and at nothing of the developer's own (no shared config or
 * credentials file, no profile).
 */
export function s3TestEnv(server: S3TestServer, endpoint = server.endpoint) {
  return {
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_REGION: server.region,
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  };
}

/** Settings for core's createS3Client that reach the test server with the test user's keys. */
export function s3TestClientSettings(server: S3TestServer) {
  return {
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    region: server.region,
    endpoint: new URL(server.endpoint),
    credentialSource: 'test',
  };
}

/** What publicTestBucket needs of an S3 client: core's S3Client has it (test-support does not depend on core). */
export interface S3BucketAdmin {
  createBucket(bucket: string): Promise<void>;
  putBucketPolicy(bucket: string, policy: string): Promise<void>;
}

/**
 * A bucket of its own whose objects anyone may GET (a bucket policy), as readers over plain HTTP need (a
 * repository served straight from the bucket, nginx in front of a store); kept apart from the shared test
 * bucket so its policy changes nothing for other suites. Tests work below an s3TestPrefix() in it too.
 */
export async function publicTestBucket(server: S3TestServer, client: S3BucketAdmin): Promise<string> {
  const bucket = `${server.bucket}-public`;
  await client.createBucket(bucket);
  await client.putBucketPolicy(bucket, anonymousReadPolicy(bucket));
  return bucket;
}

/** The policy docs/publish.md and docs/mirror.md show: GetObject for everyone, nothing else. */
function anonymousReadPolicy(bucket: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'AnonymousRead', Effect: 'Allow', Principal: '*', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${bucket}/*`] }],
  });
}
