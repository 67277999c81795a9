import { PassThrough, type Duplex } from 'node:stream';
import zlib from 'node:zlib';
import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { CodecDuplex, type HeadCheck } from './codec-duplex.js';
import { COMPRESSION_NAMES, MAGIC_BYTES_NEEDED, type CompressionKind } from './kinds.js';
import { checkHead, compressionError } from './codec-errors.js';
import { loadLzma, loadUnbzip2 } from './native-codecs.js';
import { ZSTD_DEFAULT_LEVEL, ZstdCompressTransform, ZstdDecompressTransform } from './zstd.js';

/** Kinds ovirt-repo writes. bzip2 is read-only: only old repos and createrepo_c's sqlite files use it. */
export type WritableCompressionKind = Exclude<CompressionKind, 'bz2'>;

/** createrepo_c's levels, so our files are about the size of theirs. */
export const DEFAULT_COMPRESSION_LEVELS: Record<WritableCompressionKind, number> = {
  gz: 6,
  xz: 5,
  zstd: ZSTD_DEFAULT_LEVEL,
  none: 0,
};

export interface CodecOptions {
  /** The file or URL the bytes belong to; every error message names it. */
  target?: string;
}

export interface CompressOptions extends CodecOptions {
  /** gz 1-9, xz 0-9, zstd 1-22; defaults to createrepo_c's (6, 5, 10). */
  level?: number;
}

/**
 * zlib's output chunk size. The default 16 KiB sends tens of MB of metadata through the stream chain (codec
 * wrapper, hashing, file) in thousands of pieces, each a main-thread callback and a write system call.
 */
const ZLIB_CHUNK = 256 * 1024;

/** A Duplex that decompresses `kind`; it fails with E_COMPRESSION when the bytes are not `kind` data. */
export function decompressStream(kind: CompressionKind, options: CodecOptions = {}): Duplex {
  const target = options.target ?? 'input';
  const mapError = (err: unknown) => compressionError(kind, target, err);
  const headCheck: HeadCheck = { bytes: MAGIC_BYTES_NEEDED, check: (head) => checkHead(kind, target, head) };
  switch (kind) {
    case 'none':
      return new PassThrough();
    case 'gz':
      return new CodecDuplex(zlib.createGunzip({ chunkSize: ZLIB_CHUNK }), mapError, headCheck);
    case 'xz':
      return new CodecDuplex(loadLzma().createDecompressor(), mapError, headCheck);
    case 'bz2':
      return new CodecDuplex(loadUnbzip2()(), mapError, headCheck);
    case 'zstd':
      return new CodecDuplex(new ZstdDecompressTransform(mapError), mapError, headCheck);
  }
}

/** A Duplex that compresses into `kind`; output is deterministic (no names or times in headers). */
export function compressStream(kind: WritableCompressionKind, options: CompressOptions = {}): Duplex {
  const target = options.target ?? 'output';
  const level = options.level ?? DEFAULT_COMPRESSION_LEVELS[kind];
  checkLevel(kind, level, target);
  const mapError = (err: unknown) => compressionError(kind, target, err, 'compress');
  switch (kind) {
    case 'none':
      return new PassThrough();
    case 'gz':
      // zlib writes mtime 0 and no file name, so equal input gives equal bytes.
      return new CodecDuplex(zlib.createGzip({ level, chunkSize: ZLIB_CHUNK }), mapError);
    case 'xz': {
      const lzma = loadLzma();
      // CRC32 as createrepo_c. Single-threaded: the three metadata files already compress in parallel, and
      // each extra liblzma thread costs about 100 MB at this preset.
      return new CodecDuplex(lzma.createCompressor({ preset: level, check: lzma.CHECK_CRC32 }), mapError);
    }
    case 'zstd':
      return new ZstdCompressTransform(level, mapError);
  }
}

const LEVEL_RANGES: Record<WritableCompressionKind, [number, number]> = {
  gz: [1, 9],
  xz: [0, 9],
  zstd: [1, 22],
  none: [0, 0],
};

export function checkLevel(kind: WritableCompressionKind, level: number, target: string): void {
  const [min, max] = LEVEL_RANGES[kind];
  if (!Number.isInteger(level) || level < min || level > max) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `invalid ${COMPRESSION_NAMES[kind]} level ${level} for ${target}`, {
      target,
      hint: `use an integer from ${min} to ${max}`,
    });
  }
}

