import { didYouMean } from '../config/wording.js';
import { ErrorCodes, OvirtRepoError } from '../errors/index.js';

/** What usageError needs of the command that could not parse its command line. */
export interface ParsedCommand {
  /** `mirror sync`, as typed. */
  name: string;
  /** `ovirt-repo`. */
  bin: string;
  /** Every flag name the command takes, without dashes. */
  flags: readonly string[];
}

// oclif colours parts of some messages; a message is one plain line here.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/**
 * One E_USAGE line for one of oclif's parse errors (unknown flag, bad option value, missing or unexpected
 * argument...), with a "did you mean" where a name is close and a pointer to --help instead of the whole
 * help, which oclif prints for some of them.
 */
export function usageError(err: Error, command: ParsedCommand): OvirtRepoError {
  const lines = err.message.replace(ANSI, '').split('\n').map((l) => l.trim()).filter((l) => l && l !== 'See more help with --help' && !/^Parsing --[\w-]+$/.test(l))
    // oclif's notes on flags that take several values: about how to parse, not what went wrong.
    .filter((l) => !/^(Note: |Alternatively, )/.test(l));
  const hint = `${command.bin} ${command.name} --help lists its flags and arguments`;
  const unknown = (err as { flags?: unknown }).flags;
  if (Array.isArray(unknown) && unknown.every((f) => typeof f === 'string')) {
    const parts = (unknown as string[]).map((flag) => {
      const guess = didYouMean(flag.replace(/^-+/, '').split('=')[0] ?? '', command.flags);
      return guess ? `${flag} (did you mean --${guess}?)` : flag;
    });
    return new OvirtRepoError(ErrorCodes.USAGE, `${command.name}: unknown flag${parts.length === 1 ? '' : 's'} ${parts.join(', ')}`, { hint, cause: err });
  }
  const option = /^Expected (--[\w-]+=)?(.*) to be one of: (.*)$/.exec(lines[0] ?? '');
  if (option) {
    const [, flag = '', value = '', choices = ''] = option;
    const guess = didYouMean(value, choices.split(', '));
    return new OvirtRepoError(ErrorCodes.USAGE, `${command.name}: ${flag}${value} is not one of ${choices}${guess ? ` (did you mean "${guess}"?)` : ''}`, { hint, cause: err });
  }
  // oclif's `exclusive` says it once per flag, with the parsed value: one line per pair of flags.
  const pairs = new Set(lines.flatMap((l) => {
    const m = /(--[\w-]+)(?:=.*)? cannot also be provided when using (--[\w-]+)/.exec(l);
    return m ? [[m[1], m[2]].sort().join(' and ')] : [];
  }));
  if (pairs.size > 0) return new OvirtRepoError(ErrorCodes.USAGE, `${command.name}: ${[...pairs].join(', ')} cannot be used together`, { hint, cause: err });
  const first = lines[0]?.replace(/:$/, '') ?? 'the command line cannot be used';
  const detail = lines.slice(1).join('; ');
  return new OvirtRepoError(ErrorCodes.USAGE, `${command.name}: ${first}${detail ? `: ${detail}` : ''}`, { hint, cause: err });
}
