import { ErrorCodes, OvirtRepoError } from '../errors/index.js';

/** Seconds per duration unit: `s`econds, `m`inutes, `h`ours, `d`ays, `w`eeks. */
export const DURATION_UNITS = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 } as const;

/**
 * A duration as written in ovirt-repo.yaml and on the command line: one or more `<number><unit>` parts,
 * e.g. `14d`, `12h`, `30m`, `2w`, `1d12h`. The JSON Schema carries this same pattern.
 */
export const DURATION_PATTERN = /^(?:\d+[smhdw])+$/;

export const DURATION_HELP = 'a duration such as 14d, 12h, 30m, 2w or 1d12h (units: s, m, h, d, w)';

/** Why `text` is not a valid duration, or undefined when it is one. */
export function durationProblem(text: string | number): string | undefined {
  if (typeof text === 'number') {
    return Number.isSafeInteger(text) && text >= 0 ? undefined : `must be ${DURATION_HELP} or a whole number of seconds, got ${text}`;
  }
  if (!DURATION_PATTERN.test(text)) return `must be ${DURATION_HELP}, got ${JSON.stringify(text)}`;
  if (!Number.isSafeInteger(sumDuration(text))) return `is too long: ${JSON.stringify(text)}`;
  return undefined;
}

/**
 * Parse a duration (`14d`, `12h`, `30m`, `2w`, `1d12h`, or a whole number of seconds) into seconds.
 * Throws a usage error naming the value when it is not one.
 */
export function parseDuration(text: string | number): number {
  const problem = durationProblem(typeof text === 'string' ? text.trim() : text);
  if (problem) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `invalid duration: ${problem}`, {
      hint: 'write a number followed by a unit: s (seconds), m (minutes), h (hours), d (days) or w (weeks), e.g. 14d',
    });
  }
  return typeof text === 'number' ? text : sumDuration(text.trim());
}

/** Duration text for `seconds`, in days and smaller units as people count retention (1209600 -> "14d", 129600 -> "1d12h", 0 -> "0s"). */
export function formatDuration(seconds: number): string {
  if (!Number.isSafeInteger(seconds) || seconds < 0) throw new RangeError(`not a duration in seconds: ${seconds}`);
  if (seconds === 0) return '0s';
  let rest = seconds;
  let out = '';
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = DURATION_UNITS[unit];
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

function sumDuration(text: string): number {
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)([smhdw])/g)) {
    total += Number(n) * DURATION_UNITS[unit as keyof typeof DURATION_UNITS];
  }
  return total;
}
