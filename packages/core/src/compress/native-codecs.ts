import { createRequire } from 'node:module';
import { ErrorCodes, OvirtRepoError } from '../errors/index.js';

/**
 * lzma-native and unbzip2-stream ship no type declarations, and a global `declare module` would leak into
 * every consumer of core. These narrow interfaces describe only what the codecs use; loading goes through
 * createRequire because both are CommonJS, and lazily so a missing native prebuild only fails xz users.
 */

/** Classic (pre-streams2) stream surface shared by lzma-native's Transform and `through` streams. */
export interface LegacyCodecStream {
  /** `callback` (streams2 codecs: lzma-native) is called once the chunk is processed and its output pushed. */
  write(chunk: Buffer, callback?: (err?: unknown) => void): boolean;
  end(): void;
  on(event: 'data', listener: (chunk: Buffer) => void): this;
  on(event: 'end' | 'drain' | 'close', listener: () => void): this;
  on(event: 'error', listener: (err: unknown) => void): this;
  once(event: 'drain' | 'end', listener: () => void): this;
  pause?(): void;
  resume?(): void;
  destroy?(): void;
}

interface LzmaNative {
  createCompressor(options: { preset: number; check: number; threads?: number }): LegacyCodecStream;
  createDecompressor(options?: { memlimit?: number }): LegacyCodecStream;
  CHECK_CRC32: number;
}

type Unbzip2 = () => LegacyCodecStream;

const require = createRequire(import.meta.url);
let lzma: LzmaNative | undefined;
let unbzip2: Unbzip2 | undefined;

export function loadLzma(): LzmaNative {
  lzma ??= load<LzmaNative>('lzma-native', 'xz');
  return lzma;
}

export function loadUnbzip2(): Unbzip2 {
  unbzip2 ??= load<Unbzip2>('unbzip2-stream', 'bzip2');
  return unbzip2;
}

function load<T>(module: string, codec: string): T {
  try {
    return require(module) as T;
  } catch (err) {
    throw new OvirtRepoError(ErrorCodes.COMPRESSION, `${codec} support is unavailable: cannot load ${module}`, {
      cause: err,
      hint: `reinstall ovirt-repo so that ${module} (and its prebuilt binary for this platform) is present`,
    });
  }
}
