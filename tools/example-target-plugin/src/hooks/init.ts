import { registerExampleTarget } from '../index.js';

/**
 * oclif runs every installed plugin's `init` hook before any command, so by the time `ovirt-repo publish`
 * opens its destination the `example:` scheme is registered. Declared in package.json:
 * `"oclif": { "hooks": { "init": "./dist/hooks/init.js" } }`.
 */
export default async function init(): Promise<void> {
  registerExampleTarget();
}
