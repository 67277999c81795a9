import { acquireS3Lease, DEFAULT_LEASE_STALE_MS, DEFAULT_LOCK_TIMEOUT_MS, ErrorCodes, OvirtRepoError, readS3LeaseHolder, type LockOptions, type LockOwner, type StoreLock } from '@ovirt-repo/core';
import type { S3Namespace } from './namespace.js';

/**
 * Writer locks of an S3 store: core's S3 lease (see acquireS3Lease) at `.ovirt-repo/locks/<name>`. The
 * commit protocol does not rest on them (commits are create-only, pointers move by compare-and-swap); a
 * lock saves the work a second writer would waste. A lease is stale after DEFAULT_LEASE_STALE_MS (2 min)
 * without renewal, not a directory store's 15 min: the server's clock judges it and what a holder writes
 * is seen at once by every host (no NFS attribute caching to outlast), and holders renew every 10 s.
 */
export class Leases {
  constructor(
    private readonly ns: S3Namespace,
    /** The default staleness when a caller gives none. */
    private readonly staleAfterMs = DEFAULT_LEASE_STALE_MS,
  ) {}

  async lock(name: string, options: LockOptions): Promise<StoreLock> {
    const staleAfterMs = options.staleAfterMs ?? this.staleAfterMs;
    const lease = await acquireS3Lease(this.ns.client, this.ns.bucket, this.#key(name), {
      ...options,
      timeoutMs: options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
      staleAfterMs,
      hint: options.hint ?? `wait for that run to finish and retry (or raise --lock-timeout). A lock whose holder died is broken after ${Math.round(staleAfterMs / 1000)} s without heartbeat, by the S3 server's clock`,
    });
    return { name, owner: lease.owner, assertHeld: () => lease.assertHeld(), release: () => lease.release() };
  }

  holder(name: string, options: { staleAfterMs?: number } = {}): Promise<{ owner?: LockOwner } | undefined> {
    return readS3LeaseHolder(this.ns.client, this.ns.bucket, this.#key(name), { staleAfterMs: options.staleAfterMs ?? this.staleAfterMs });
  }

  #key(name: string): string {
    if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._+-]{0,199}$/.test(name)) {
      throw new OvirtRepoError(ErrorCodes.UNSAFE_PATH, `lock: "${String(name)}" is not a lock name (one segment of letters, digits, . _ + -)`, { hint: 'name locks like repo-<repo>' });
    }
    return this.ns.reservedKey(`locks/${name}`);
  }
}
