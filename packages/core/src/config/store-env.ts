import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { CONFIG_FILE_NAME } from './locate.js';
import type { OvirtRepoConfig } from './resolve.js';

export const STORE_ENV = 'OVIRT_REPO_STORE';
export const BASE_URL_ENV = 'OVIRT_REPO_BASE_URL';

/** The store directory, or a usage error naming every way to give one. */
export function requireStore(config: OvirtRepoConfig): string {
  if (config.store) return config.store;
  throw new OvirtRepoError(ErrorCodes.USAGE, 'no store directory given', {
    hint: `pass --store PATH, set ${STORE_ENV}, or set store: in ${CONFIG_FILE_NAME}`,
  });
}
