/** The lock format version this code writes and reads. Bump it only with a reader for the old one. */
export const RUN_LOCK_VERSION = 1;
