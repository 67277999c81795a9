import { Errors, Flags } from '@oclif/core';
import { EXIT_USAGE, isOvirtRepoError, parseDuration, parseSize } from '@ovirt-repo/core';

/**
 * A value that does not parse is a usage error (exit 2), as oclif's own flag errors are; the message keeps
 * the parser's words and hint.
 */
function asUsage<T>(parse: (input: string) => T): (input: string) => Promise<T> {
  return async (input) => {
    try {
      return parse(input);
    } catch (e) {
      if (!isOvirtRepoError(e)) throw e;
      throw new Errors.CLIError(e.hint ? `${e.message}\nHint: ${e.hint}` : e.message, { exit: EXIT_USAGE });
    }
  };
}

/**
 * A duration flag, spelled as in ovirt-repo.yaml: `14d`, `12h`, `30m`, `90s`, `2w`, `1d12h`, or a whole
 * number of seconds (core's parseDuration). Parsed to milliseconds.
 */
export const durationFlag = Flags.custom<number>({
  helpValue: 'DURATION',
  parse: asUsage((input) => parseDuration(input) * 1000),
});

/** A size flag, spelled as in ovirt-repo.yaml: `4GiB`, `512M`, `64K`, or a number of bytes (core's parseSize). */
export const sizeFlag = Flags.custom<number>({
  helpValue: 'SIZE',
  parse: asUsage(parseSize),
});
