import { ErrorCodes, OvirtRepoError } from '../errors/index.js';

/** Bytes per size unit: powers of 1024, written `K`/`KiB`, `M`/`MiB`, `G`/`GiB`, `T`/`TiB`. */
export const SIZE_UNITS = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 } as const;

/**
 * A size as written in ovirt-repo.yaml and on the command line: a whole number of bytes, or a whole
 * number with a unit (`512M`, `4GiB`, `64K`). `GB` and friends are refused: whether they mean 1000 or
 * 1024 is a guess. The JSON Schema carries this same pattern.
 */
export const SIZE_PATTERN = /^(\d+)([KMGT](?:iB)?)?$/;

export const SIZE_HELP = 'a size such as 4GiB, 512MiB or 64M (K, M, G, T: powers of 1024), or a number of bytes';

/** Why `value` is not a valid size, or undefined when it is one. */
export function sizeProblem(value: string | number): string | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 ? undefined : `must be ${SIZE_HELP}, got ${value}`;
  }
  if (!SIZE_PATTERN.test(value)) return `must be ${SIZE_HELP}, got ${JSON.stringify(value)}`;
  if (!Number.isSafeInteger(sizeOf(value))) return `is too large: ${JSON.stringify(value)}`;
  return undefined;
}

/** Parse a size (`4GiB`, `512M`, `1048576`...) into bytes; a usage error naming the value when it is not one. */
export function parseSize(value: string | number): number {
  const text = typeof value === 'string' ? value.trim() : value;
  const problem = sizeProblem(text);
  if (problem) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `invalid size: ${problem}`, {
      hint: 'write a whole number of bytes, or a number followed by K, M, G or T (KiB, MiB, GiB, TiB: powers of 1024), e.g. 4GiB',
    });
  }
  return typeof text === 'number' ? text : sizeOf(text);
}

/** Size text for `bytes` in the largest unit that divides it (4294967296 -> "4GiB", 1000 -> "1000"). */
export function formatSize(bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`not a size in bytes: ${bytes}`);
  for (const unit of ['T', 'G', 'M', 'K'] as const) {
    if (bytes > 0 && bytes % SIZE_UNITS[unit] === 0) return `${bytes / SIZE_UNITS[unit]}${unit}iB`;
  }
  return String(bytes);
}

/** Bytes of a size text SIZE_PATTERN matches (NaN for one it does not). */
function sizeOf(text: string): number {
  const m = SIZE_PATTERN.exec(text);
  return m ? Number(m[1]) * SIZE_UNITS[(m[2]?.[0] ?? '') as keyof typeof SIZE_UNITS] : NaN;
}
