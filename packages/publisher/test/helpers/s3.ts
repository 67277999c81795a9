import { createS3Client, type S3Client } from '@ovirt-repo/core';
import { publicTestBucket as sharedPublicTestBucket, type S3TestServer } from '@ovirt-repo/test-support';
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

/** test-support's bucket whose objects anyone may GET, for dnf reading a published repository from it. */
export async function publicTestBucket(server: S3TestServer): Promise<string> {
  const client = testS3Client(server);
  try {
    return await sharedPublicTestBucket(server, client);
  } finally {
    client.close();
  }
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
