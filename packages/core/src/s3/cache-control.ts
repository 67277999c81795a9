/** Written once, never changed under its name: any cache may keep it for good (packages, a snapshot's files). */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Replaced in place (latest pointers, the index, repomd.xml of a published tree, leases): revalidated on every use. */
export const NO_CACHE = 'no-cache';
