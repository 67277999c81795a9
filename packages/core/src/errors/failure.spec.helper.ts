import { isOvirtRepoError, type OvirtRepoError } from './ovirt-repo-error.js';

/** The OvirtRepoError `p` rejects with; fails the test if it resolves or rejects with anything else. */
export async function failure(p: Promise<unknown>): Promise<OvirtRepoError> {
  try {
    await p;
  } catch (e) {
    if (isOvirtRepoError(e)) return e;
    throw e;
  }
  throw new Error('expected a failure');
}
