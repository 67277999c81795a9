import { readdirSync, existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Installed feature plugins are recognised by this name prefix, in the @ovirt-repo scope. */
export const PLUGIN_SCOPE = '@ovirt-repo';
export const PLUGIN_PREFIX = 'plugin-';

/**
 * Find every installed `@ovirt-repo/plugin-*` package that Node would resolve from `fromDir`, walking up
 * the node_modules chain. The CLI depends on no feature plugin, so whatever a team installed beside it
 * (all of them, or only the publisher) is what its help lists.
 */
export function discoverPlugins(fromDir: string): string[] {
  const found = new Set<string>();
  let dir = realpathSync(fromDir);
  for (;;) {
    const scopeDir = join(dir, 'node_modules', PLUGIN_SCOPE);
    if (existsSync(scopeDir)) {
      for (const name of readdirSync(scopeDir)) {
        if (name.startsWith(PLUGIN_PREFIX) && existsSync(join(scopeDir, name, 'package.json'))) {
          found.add(`${PLUGIN_SCOPE}/${name}`);
        }
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return [...found].sort();
}
