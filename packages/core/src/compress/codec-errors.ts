import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { COMPRESSION_NAMES, compressionSuffix, detectCompression, type CompressionKind } from './kinds.js';

/*
 * The errors of the codecs, apart from the codecs themselves: the hashing thread decompresses members
 * with gunzip-sync.ts and loads only this, not the stream codecs (zstd, xz) it never uses.
 */

/** An E_COMPRESSION error if `head` (a file's first bytes) is not `kind` data. */
export function checkHead(kind: CompressionKind, target: string, head: Uint8Array): Error | undefined {
  const name = COMPRESSION_NAMES[kind];
  if (head.length === 0) {
    return new OvirtRepoError(ErrorCodes.COMPRESSION, `${target} is empty, expected ${name} data`, {
      target,
      hint: 'the file was probably truncated or not fully downloaded; fetch or regenerate it',
      data: { codec: kind },
    });
  }
  const actual = detectCompression(head);
  if (actual === kind) return undefined;
  const what = actual ? `${COMPRESSION_NAMES[actual]} data` : 'not compressed data this tool knows';
  return new OvirtRepoError(ErrorCodes.COMPRESSION, `${target} should be ${name} data but is ${what}`, {
    target,
    hint: `dnf picks the decompressor by the file name ending ("${compressionSuffix(kind)}"), so the ending must match the contents; rename or recompress the file`,
    data: { codec: kind, detected: actual ?? null },
  });
}

/** An E_COMPRESSION error naming the file and codec; passes OvirtRepoErrors through unchanged. */
export function compressionError(
  kind: CompressionKind,
  target: string,
  cause: unknown,
  operation: 'compress' | 'decompress' = 'decompress',
): OvirtRepoError {
  if (cause instanceof OvirtRepoError) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  const name = COMPRESSION_NAMES[kind];
  const message =
    operation === 'decompress'
      ? `${target} is not valid ${name} data: ${reason}`
      : `${name} compression failed for ${target}: ${reason}`;
  return new OvirtRepoError(ErrorCodes.COMPRESSION, message, {
    target,
    cause,
    hint: operation === 'decompress' ? 'the file is corrupt or truncated; fetch or regenerate it' : undefined,
    data: { codec: kind },
  });
}
