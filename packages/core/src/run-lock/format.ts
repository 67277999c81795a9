import type { RunLockEntrySchemaOutput, RunLockRepomdSchemaOutput, RunLockSchemaOutput } from './schema.js';

/**
 * A run lock (`ovirt-repo inject --lock-out run.lock.json`): exactly which snapshot URL every repo of a
 * system-test run used. inject writes it; publish --from-lock, snapshot pin --from-lock and lock verify read
 * it, so the one schema lives here. Not to be confused with the store's writer locks.
 */

export { RUN_LOCK_VERSION } from './version.js';

/** The schema itself is in schema.ts, loaded on first use; these are its types. */
export type RunLock = RunLockSchemaOutput;
export type RunLockEntry = RunLockEntrySchemaOutput;
export type RunLockRepomd = RunLockRepomdSchemaOutput;
