import { formatS3Location, joinKey, type S3Client } from '@ovirt-repo/core';

/**
 * Where a store's keys are in its bucket. A key `k` of the store at `s3://BUCKET/PREFIX` is the object
 * `PREFIX/k`. The store keeps its own objects below `PREFIX/.ovirt-repo/`: no store key can name that
 * (every key segment follows core's file-name rule, which refuses a leading dot), so no caller can read,
 * forge or remove them, and list('') never shows them.
 *
 *   .ovirt-repo/staging/<key>   a staged write of prefix <key> in progress (or a prefix being removed):
 *                               list() and stat() hide the prefix while it exists
 *   .ovirt-repo/locks/<name>    writer lock <name>: a lease (lease.ts)
 */
export const RESERVED = '.ovirt-repo';

export class S3Namespace {
  constructor(
    readonly client: S3Client,
    readonly bucket: string,
    /** '' or a store key. */
    readonly prefix: string,
  ) {}

  /** The object key of store key `key` ('' is the store's root). */
  objectKey(key: string): string {
    return joinKey(this.prefix, key);
  }

  /** The object-key prefix of everything below `key` (`PREFIX/key/`, or '' for the root of a bucket-wide store). */
  below(key: string): string {
    const k = this.objectKey(key);
    return k === '' ? '' : `${k}/`;
  }

  /** The object key of the store's own object `rel` (below .ovirt-repo/). */
  reservedKey(rel: string): string {
    return joinKey(this.prefix, RESERVED, rel);
  }

  markerKey(key: string): string {
    return this.reservedKey(`staging/${key}`);
  }

  where(key: string): string {
    return formatS3Location(this.bucket, this.objectKey(key));
  }

  /**
   * The store keys of the staging markers below `key`: those of its direct children, or with `recursive`
   * of every depth. A handful at a time (one per running sync), so a listing holds them all.
   */
  async markersBelow(key: string, recursive: boolean): Promise<Set<string>> {
    const base = this.reservedKey(`staging/${key === '' ? '' : `${key}/`}`);
    const found = new Set<string>();
    for await (const e of this.client.list(this.bucket, { prefix: base, ...(recursive ? {} : { delimiter: '/' }) })) {
      if (e.size < 0) continue;
      found.add(joinKey(key, e.key.slice(base.length)));
    }
    return found;
  }
}

/** Whether `key` is `staged` or lies below one of the prefixes in it. */
export function isHidden(key: string, staged: ReadonlySet<string>): boolean {
  if (staged.size === 0) return false;
  for (let i = key.indexOf('/'); i >= 0; i = key.indexOf('/', i + 1)) if (staged.has(key.slice(0, i))) return true;
  return staged.has(key);
}
