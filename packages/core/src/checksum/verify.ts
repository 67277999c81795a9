import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import type { Digest, DigestWithSize } from './hash.js';

export interface ExpectedContent {
  checksum?: Digest;
  size?: number;
}

/**
 * Throws E_SIZE_MISMATCH or E_CHECKSUM_MISMATCH naming `target` when `actual` differs from what metadata
 * promised. The size is compared first: a short download is the common case and the clearer message.
 */
export function verifyContent(target: string, expected: ExpectedContent, actual: DigestWithSize): void {
  if (expected.size !== undefined && expected.size !== actual.size) {
    throw new OvirtRepoError(
      ErrorCodes.SIZE_MISMATCH,
      `${target} has ${actual.size} bytes, expected ${expected.size}`,
      {
        target,
        hint: 'the file is truncated or was replaced; fetch it again or regenerate the metadata',
        data: { expected: expected.size, actual: actual.size },
      },
    );
  }
  if (expected.checksum && expected.checksum.value.toLowerCase() !== actual.value) {
    throw new OvirtRepoError(
      ErrorCodes.CHECKSUM_MISMATCH,
      `${target} has ${actual.type} ${actual.value}, expected ${expected.checksum.value.toLowerCase()}`,
      {
        target,
        hint: 'the file is corrupt or was replaced; fetch it again or regenerate the metadata',
        data: { type: actual.type, expected: expected.checksum.value.toLowerCase(), actual: actual.value },
      },
    );
  }
}
