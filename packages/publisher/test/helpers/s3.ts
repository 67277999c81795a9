import { createS3Client, type S3Client } from '@ovirt-repo/core';
import type { S3TestServer } from '@ovirt-repo/test-support';
import { S3Target, type S3TargetOptions } from '../../src/lib/targets/s3/s3-target.js';

/** A client of the test server's user (each test closes its own). */
export function testS3Client(server: S3TestServer): S3Client {
  return createS3Client({
    settings: { credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey }, region: server.region, endpoint: new URL(server.endpoint), credentialSource: 'test' },
    idleTimeoutMs: 10_000,
    retries: 1,
    backoffMs: 50,
  });
}

/** The AWS environment that points the CLI (or resolveS3Settings) at the test server. */
export function s3Env(server: S3TestServer): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    AWS_REGION: server.region,
    AWS_ENDPOINT_URL_S3: server.endpoint,
    AWS_PROFILE: undefined,
  };
}

export function testS3Target(server: S3TestServer, bucket: string, prefix: string, extra: Partial<S3TargetOptions> = {}): S3Target {
  return new S3Target({ client: testS3Client(server), bucket, prefix: prefix.replace(/\/+$/, ''), ...extra });
}

/**
 * A bucket of its own whose objects anyone may GET (a bucket policy), as a repository served straight from
 * the bucket needs; kept apart from the shared test bucket so its policy changes nothing for other suites.
 */
export async function publicTestBucket(server: S3TestServer): Promise<string> {
  const bucket = `${server.bucket}-public`;
  const client = testS3Client(server);
  try {
    await client.createBucket(bucket);
    await client.putBucketPolicy(bucket, anonymousReadPolicy(bucket));
  } finally {
    client.close();
  }
  return bucket;
}

/** The policy docs/publisher.md shows: GetObject for everyone, nothing else. */
export function anonymousReadPolicy(bucket: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'AnonymousRead', Effect: 'Allow', Principal: '*', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${bucket}/*`] }],
  });
}

/** Delete everything below `prefix`. */
export async function emptyS3Prefix(server: S3TestServer, bucket: string, prefix: string): Promise<void> {
  const client = testS3Client(server);
  try {
    for await (const e of client.list(bucket, { prefix })) await client.delete(bucket, e.key);
  } finally {
    client.close();
  }
}
