export { BaseCommand, EXIT_FAILURE, type BaseFlags, type BaseArgs } from './base-command.js';
export { sharedFlags } from './flags.js';
