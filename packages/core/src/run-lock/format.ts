import type { RunLockEntrySchemaOutput, RunLockRepomdSchemaOutput, RunLockSchemaOutput } from './schema.js';

/**
 * A run lock (`ovirt-repo inject --lock-out run.lock.json`): exactly which snapshot URL every repo of a
 * system-test run used. inject writes it; publish --from-lock, snapshot pin --from-lock and lock verify read
 * it, so the one schema lives here. Not to be confused with the store's writer locks.
 */

/** The lock format version this code writes and reads. Bump it only with a reader for the old one. */
export const RUN_LOCK_VERSION = 1;

/** The schema itself is in schema.ts, loaded on first use; these are its types. */
export type RunLock = RunLockSchemaOutput;
export type RunLockEntry = RunLockEntrySchemaOutput;
export type RunLockRepomd = RunLockRepomdSchemaOutput;
