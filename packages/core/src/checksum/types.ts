import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import type { ChecksumType } from '../repodata/model.js';

export type { ChecksumType } from '../repodata/model.js';

/** Every checksum name repodata may carry. `sha` is yum's old name for sha1. */
export const CHECKSUM_TYPES: readonly ChecksumType[] = ['sha256', 'sha512', 'sha384', 'sha224', 'sha1', 'sha', 'md5'];

const NODE_ALGORITHMS: Record<ChecksumType, string> = {
  sha: 'sha1',
  sha1: 'sha1',
  sha224: 'sha224',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  md5: 'md5',
};

const HEX_LENGTHS: Record<ChecksumType, number> = {
  sha: 40,
  sha1: 40,
  sha224: 56,
  sha256: 64,
  sha384: 96,
  sha512: 128,
  md5: 32,
};

export function isChecksumType(name: string): name is ChecksumType {
  return Object.prototype.hasOwnProperty.call(NODE_ALGORITHMS, name);
}

/** The checksum type named `name` (case-insensitive), or an E_USAGE error listing the known names. */
export function parseChecksumType(name: string, target?: string): ChecksumType {
  const lower = name.trim().toLowerCase();
  if (isChecksumType(lower)) return lower;
  throw new OvirtRepoError(ErrorCodes.USAGE, `unknown checksum type "${name}"${target ? ` for ${target}` : ''}`, {
    target,
    hint: `use one of ${CHECKSUM_TYPES.join(', ')}`,
  });
}

/** The node:crypto algorithm computing `type`. */
export function nodeHashAlgorithm(type: ChecksumType): string {
  return NODE_ALGORITHMS[type];
}

/** True when `value` looks like a lower- or upper-case hex digest of `type`. */
export function isHexDigest(type: ChecksumType, value: string): boolean {
  return value.length === HEX_LENGTHS[type] && /^[0-9a-fA-F]+$/.test(value);
}
