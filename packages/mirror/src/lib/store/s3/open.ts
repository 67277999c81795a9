import { createS3Client, ErrorCodes, OvirtRepoError, parseS3Location, resolveS3Settings, type Logger, type S3SettingsOptions } from '@ovirt-repo/core';
import { STORE_MARKER } from '../layout.js';
import { S3Store } from './s3-store.js';

export interface OpenS3StoreOptions {
  /** A writer that may make a new store: refused where the prefix holds objects but no store (see below). */
  create?: boolean;
  /** Endpoint, region and profile from the configuration: they win over the AWS environment. */
  s3?: Pick<S3SettingsOptions, 'endpoint' | 'region' | 'profile'>;
  logger?: Logger;
}

/**
 * The store at `s3://BUCKET/PREFIX`: credentials, region and endpoint from the AWS environment (core's
 * resolveS3Settings), overridden by `options.s3`. Opening sends nothing; the first operation finds out
 * whether the bucket answers.
 */
export async function openS3Store(location: string, options: OpenS3StoreOptions = {}): Promise<S3Store> {
  const { bucket, prefix } = parseS3Location(location);
  const settings = await resolveS3Settings({
    ...(options.s3?.endpoint ? { endpoint: options.s3.endpoint } : {}),
    ...(options.s3?.region ? { region: options.s3.region } : {}),
    ...(options.s3?.profile ? { profile: options.s3.profile } : {}),
  });
  const client = createS3Client({ settings, ...(options.logger ? { logger: options.logger } : {}) });
  const store = new S3Store({ client, bucket, prefix });
  if (options.create && !(await store.stat(STORE_MARKER, { objectOnly: true })) && (await store.list('')).length > 0) {
    await store.close();
    throw new OvirtRepoError(ErrorCodes.STORE, `${store.location} holds objects but no ovirt-repo store (no ${STORE_MARKER}): refusing to make a store there`, {
      target: store.location,
      hint: 'give a prefix of its own to a new store (s3://BUCKET/NEW-PREFIX), or the prefix of an existing store',
    });
  }
  return store;
}
