export { createS3Client, MAX_PUT_BYTES, type S3ClientOptions } from './client.js';
export { readBounded, unquote } from './answers.js';
export type { S3Client, S3ListEntry, S3ListOptions, S3ListPage, S3ObjectInfo, S3ObjectStream, S3PutOptions } from './types.js';
export { formatS3Location, parseS3Location, type S3Location } from './location.js';
export { resolveS3Settings, type S3Settings, type S3SettingsOptions } from './settings.js';
export { awsEncode, EMPTY_SHA256, encodeKeyPath, type S3Credentials, type SignInput, signRequest, UNSIGNED_PAYLOAD } from './sigv4.js';
export { contentTypeFor } from './content-type.js';
export { acquireS3Lease, DEFAULT_LEASE_STALE_MS, readS3LeaseHolder, type S3Lease, type S3LeaseOptions } from './lease.js';
export { IMMUTABLE, NO_CACHE } from './cache-control.js';
