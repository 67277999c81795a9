import { PassThrough, type Duplex } from 'node:stream';
import zlib from 'node:zlib';
import { limitStream, type SizeLimit } from '../checksum/size-limit.js';
import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { CodecDuplex, type HeadCheck } from './codec-duplex.js';
import { COMPRESSION_NAMES, MAGIC_BYTES_NEEDED, type CompressionKind } from './kinds.js';
import { checkHead, compressionError } from './codec-errors.js';
import { loadLzma, loadUnbzip2 } from './native-codecs.js';
import { ZSTD_DEFAULT_LEVEL, ZstdCompressTransform, ZstdDecompressTransform } from './zstd.js';
import { MAX_ZSTD_WINDOW } from './zstd-frames.js';

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

export interface DecompressOptions extends CodecOptions {
  /**
   * Fail with the limit's error as soon as the output passes `limit.max` bytes, the codec stopped there:
   * a decompression bomb ends after about `max` bytes, whatever it would expand to.
   */
  limit?: SizeLimit;
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

/**
 * xz input goes to lzma-native 1 KiB at a time: it decodes each write whole on its thread before any
 * output reaches a limit, and 1 KiB of an xz bomb is up to about 7 MB (64 KiB, the read size, was
 * 450 MB). Real metadata decodes about a third slower this way (a thread hand-off per KiB); xz is rare
 * for primary/filelists/other (createrepo_c writes gz or zstd).
 */
const XZ_INPUT_SLICES = { bytes: 1024 };

/** A Duplex that decompresses `kind`; it fails with E_COMPRESSION when the bytes are not `kind` data. */
export function decompressStream(kind: CompressionKind, options: DecompressOptions = {}): Duplex {
  const target = options.target ?? 'input';
  const limit = options.limit;
  const mapError = (err: unknown) => compressionError(kind, target, err);
  const headCheck: HeadCheck = { bytes: MAGIC_BYTES_NEEDED, check: (head) => checkHead(kind, target, head) };
  switch (kind) {
    case 'none':
      return limit ? limitStream(limit) : new PassThrough();
    case 'gz':
      return new CodecDuplex(zlib.createGunzip({ chunkSize: ZLIB_CHUNK }), mapError, headCheck, limit);
    case 'xz':
      return new CodecDuplex(loadLzma().createDecompressor(), mapError, headCheck, limit, XZ_INPUT_SLICES);
    case 'bz2':
      return new CodecDuplex(loadUnbzip2()(), mapError, headCheck, limit);
    case 'zstd':
      // The zstd decoder counts the limit itself (see ZstdDecompressTransform).
      return new CodecDuplex(new ZstdDecompressTransform(mapError, (window) => zstdWindowError(target, window), limit), mapError, headCheck);
  }
}

function zstdWindowError(target: string, window: number): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.COMPRESSION, `${target} is zstd data that needs a ${window}-byte window to decompress, more than the ${MAX_ZSTD_WINDOW} bytes zstd (and dnf) allow by default`, {
    target,
    hint: 'recompress it with a standard zstd level (1-19, without --long), as createrepo_c does',
    data: { codec: 'zstd', window, maxWindow: MAX_ZSTD_WINDOW },
  });
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

