export { BaseCommand, EXIT_FAILURE, EXIT_USAGE, type BaseFlags, type BaseArgs } from './base-command.js';
export { networkFlags, networkFlagValues, sharedFlags, signFlags, tlsFlags } from './flags.js';
