import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { printable } from '../fs/file-names.js';
import { storeKey } from '../store/keys.js';

/** `s3://BUCKET/PREFIX`, parsed. */
export interface S3Location {
  bucket: string;
  /** '' or a store key (segments by the file-name rule), without leading or trailing '/'. */
  prefix: string;
}

/**
 * A bucket name S3 accepts (3-63 letters, digits, dots, hyphens, underscores; RGW and old AWS buckets allow
 * upper case and underscores), so it can go into a URL path or host name as it is.
 */
const BUCKET = /^[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9]$/;

/** Parse `s3://BUCKET[/PREFIX]`; E_USAGE naming what is wrong. */
export function parseS3Location(text: string): S3Location {
  const m = /^s3:\/\/([^/]*)\/*(.*?)\/*$/s.exec(text);
  const refuse = (why: string) =>
    new OvirtRepoError(ErrorCodes.USAGE, `"${printable(text)}" is not a usable s3:// location: ${why}`, {
      target: printable(text),
      hint: 'write it as s3://BUCKET/PREFIX (for example s3://ci-repos/store); the endpoint and keys come from the AWS environment (AWS_ENDPOINT_URL_S3, AWS_PROFILE...)',
    });
  if (!m) throw refuse('it does not start with s3://');
  const [, bucket = '', prefix = ''] = m;
  if (!BUCKET.test(bucket) || bucket.includes('..')) throw refuse(`"${printable(bucket)}" is not a bucket name (3-63 letters, digits, dots, hyphens)`);
  try {
    storeKey(prefix, 'prefix');
  } catch (e) {
    throw refuse(`the prefix: ${(e as Error).message.replace(/^prefix: refusing store key "[^"]*": /, '')}`);
  }
  return { bucket, prefix };
}

export function formatS3Location(bucket: string, key = ''): string {
  return `s3://${bucket}/${key}`;
}
