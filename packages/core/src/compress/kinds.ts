/**
 * Compression kinds used in YUM repodata. dnf (through librepo/libsolv) picks the decompressor from the file
 * name ending, never from the contents, so the name and the bytes must always agree.
 */
export type CompressionKind = 'gz' | 'xz' | 'bz2' | 'zstd' | 'none';

export const COMPRESSION_KINDS: readonly CompressionKind[] = ['gz', 'xz', 'bz2', 'zstd', 'none'];

const SUFFIXES: Record<CompressionKind, string> = { gz: '.gz', xz: '.xz', bz2: '.bz2', zstd: '.zst', none: '' };

/** Human names used in messages ("... is not valid gzip data"). */
export const COMPRESSION_NAMES: Record<CompressionKind, string> = {
  gz: 'gzip',
  xz: 'xz',
  bz2: 'bzip2',
  zstd: 'zstd',
  none: 'uncompressed',
};

/** The kind a file name's ending announces (`.gz`, `.xz`, `.bz2`, `.zst`/`.zstd`), or `none`. */
export function compressionFromName(filename: string): CompressionKind {
  const lower = filename.toLowerCase();
  if (lower.endsWith('.gz')) return 'gz';
  if (lower.endsWith('.xz')) return 'xz';
  if (lower.endsWith('.bz2')) return 'bz2';
  if (lower.endsWith('.zst') || lower.endsWith('.zstd')) return 'zstd';
  return 'none';
}

/** The ending createrepo_c gives files of this kind (`.zst` for zstd, as createrepo_c 1.x does). */
export function compressionSuffix(kind: CompressionKind): string {
  return SUFFIXES[kind];
}

/** Accepts the spellings users and createrepo_c use (`gzip`, `gz`, `zstd`, `zst`, `bzip2`...); undefined if unknown. */
export function parseCompressionKind(name: string): CompressionKind | undefined {
  switch (name.trim().toLowerCase()) {
    case 'gz':
    case 'gzip':
      return 'gz';
    case 'xz':
      return 'xz';
    case 'bz2':
    case 'bzip2':
      return 'bz2';
    case 'zst':
    case 'zstd':
      return 'zstd';
    case 'none':
    case '':
      return 'none';
    default:
      return undefined;
  }
}

/** Longest magic number below; callers buffer this many bytes before calling detectCompression. */
export const MAGIC_BYTES_NEEDED = 6;

/**
 * The kind the first bytes reveal, or undefined when they match no known magic. Used to verify that a name's
 * ending tells the truth and to say what the file really is when it does not.
 */
export function detectCompression(head: Uint8Array): CompressionKind | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gz';
  if (
    head.length >= 6 &&
    head[0] === 0xfd &&
    head[1] === 0x37 &&
    head[2] === 0x7a &&
    head[3] === 0x58 &&
    head[4] === 0x5a &&
    head[5] === 0x00
  ) {
    return 'xz';
  }
  if (head.length >= 3 && head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return 'bz2';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  // zstd skippable frames (0x184D2A50..5F, little endian) may legally start a zstd file.
  if (head.length >= 4 && (head[0] & 0xf0) === 0x50 && head[1] === 0x2a && head[2] === 0x4d && head[3] === 0x18) {
    return 'zstd';
  }
  return undefined;
}
