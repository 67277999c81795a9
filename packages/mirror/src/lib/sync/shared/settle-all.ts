import { ErrorCodes, OvirtRepoError } from '@ovirt-repo/core';

/**
 * Like Promise.all, but waits for every promise to settle before rejecting with the first failure, so
 * nothing keeps writing into the work directory while the sync cleans up after a failure.
 */
export async function settleAll<T extends readonly unknown[]>(promises: { [K in keyof T]: Promise<T[K]> }): Promise<T>;
export async function settleAll<T>(promises: Promise<T>[]): Promise<T[]>;
export async function settleAll(promises: Promise<unknown>[]): Promise<unknown[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value);
}

/** Element `i` of a list built for every source (a programming error if missing). */
export function at<T>(list: readonly T[], i: number): T {
  const v = list[i];
  if (v === undefined) throw new OvirtRepoError(ErrorCodes.INTERNAL, `internal: no entry ${i} of ${list.length}`);
  return v;
}
