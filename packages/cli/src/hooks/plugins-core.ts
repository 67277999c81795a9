import type { Hook } from '@oclif/core';

/**
 * `ovirt-repo plugins` lists what gives the commands. Every feature plugin is loaded as one of this CLI's
 * own ("core") plugins, which @oclif/plugin-plugins hides unless asked with --core: without this, the list
 * said "No plugins installed." although four plugins give every command.
 */
const hook: Hook<'prerun'> = async function ({ Command, argv }) {
  if (Command.id === 'plugins' && !argv.includes('--core')) argv.push('--core');
};

export default hook;
