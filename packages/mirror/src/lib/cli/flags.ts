import { Flags } from '@oclif/core';
import { parseDuration } from '@ovirt-repo/core';

/**
 * A duration flag, spelled as in ovirt-repo.yaml: `14d`, `12h`, `30m`, `90s`, `2w`, `1d12h`, or a whole
 * number of seconds (core's parseDuration). Parsed to milliseconds.
 */
export const durationFlag = Flags.custom<number>({
  helpValue: 'DURATION',
  parse: async (input) => parseDuration(input) * 1000,
});
