import { ErrorCodes, OvirtRepoError, parseTargetLocation, redactLocation, type Logger, type Store } from '@ovirt-repo/core';

/** How a store is opened: `create` for writers; S3 settings from the configuration; where warnings go. */
export interface OpenStoreOptions {
  create?: boolean;
  /** With `create`: every check a writer makes, but nothing made (a dry run); a store not made yet reads as empty. */
  dryRun?: boolean;
  /** The `s3:` keys of ovirt-repo.yaml: they win over the AWS environment (s3:// stores only). */
  s3?: { endpoint?: string; region?: string; profile?: string };
  logger?: Logger;
}

/** A kind of store, by the scheme of its location. */
interface StoreBackend {
  scheme: string;
  /** One line: what it keeps the store in. */
  description: string;
  example: string;
  /** Loaded when used, so a command never loads the code (and clients) of backends it does not use. */
  open(location: string, options: OpenStoreOptions): Promise<Store>;
}

const BACKENDS: readonly StoreBackend[] = [
  {
    scheme: 'file',
    description: 'a directory on this machine (or a shared filesystem), served by any static web server',
    example: '/var/www/html/repos',
    open: async (location, options) => (await import('./local/local-store.js')).openLocalStore(location, options),
  },
  {
    scheme: 's3',
    description: 'a bucket of S3-compatible object storage (AWS S3, Ceph RGW, MinIO...), keys and endpoint from the AWS environment',
    example: 's3://ci-repos/store',
    open: async (location, options) => (await import('./s3/open.js')).openS3Store(location, options),
  },
];

/**
 * The Store a `--store` value names: a path or `file://` URL is a directory store; other schemes are
 * looked up by name. An unknown scheme is E_UNKNOWN_SCHEME listing the known ones. With `create`, a
 * backend may make its root (a missing directory) and refuses a root holding something else.
 */
export async function openStoreBackend(location: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (location.trim() === '') {
    throw new OvirtRepoError(ErrorCodes.USAGE, 'empty store location', { hint: 'give --store a directory such as /var/www/html/repos' });
  }
  const { scheme, form } = parseTargetLocation(location, (s) => BACKENDS.some((b) => b.scheme === s));
  // Only a URL names a scheme; `host:path` is no store location, so anything that is not a URL is a path.
  const backend = BACKENDS.find((b) => b.scheme === (form === 'url' ? scheme : 'file'));
  if (!backend) {
    throw new OvirtRepoError(ErrorCodes.UNKNOWN_SCHEME, `unknown store scheme "${scheme}:" in ${redactLocation(location)}`, {
      target: redactLocation(location),
      hint: `known store schemes: ${BACKENDS.map((b) => `${b.scheme}: (${b.description}, e.g. ${b.example})`).join('; ')}`,
      data: { scheme, known: BACKENDS.map((b) => b.scheme) },
    });
  }
  return backend.open(location, options);
}
