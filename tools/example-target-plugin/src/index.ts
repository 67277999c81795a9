import { registerTarget } from '@ovirt-repo/core';
import { ExampleTarget } from './example-target.js';

export { ExampleTarget } from './example-target.js';

/**
 * Add the `example:` scheme to the process-wide target registry. Safe to call more than once ('keep'
 * leaves an existing registration alone, including one another plugin made for the same scheme).
 */
export function registerExampleTarget(): void {
  registerTarget('example', (location) => ExampleTarget.open(location), {
    description: 'Example plugin target: a local directory (see docs/plugins.md).',
    examples: ['example:///srv/repos/latest.tested'],
    provider: '@ovirt-repo/plugin-example-target',
    onConflict: 'keep',
  });
}
