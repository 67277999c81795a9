import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execute } from '@oclif/core';
import { discoverPlugins } from './discover-plugins.js';

/**
 * The CLI package's own root (where its package.json and oclif settings live): the nearest directory
 * above this module with a package.json, which holds for src/, dist/ and dist/bundle/ alike.
 */
export const cliRoot = packageRootOf(dirname(fileURLToPath(import.meta.url)));

// Core has packageRootOf too; importing core here would load it for `--help`, which needs none of it.
function packageRootOf(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return d;
    if (dirname(d) === d) return dir;
  }
}

/**
 * The CLI's package.json with every installed feature plugin added as a core plugin. oclif loads core
 * plugins by matching `oclif.plugins` against `dependencies`, so the discovered ones are added to both.
 */
export function cliPackageJson(): Record<string, unknown> {
  const pjson = JSON.parse(readFileSync(join(cliRoot, 'package.json'), 'utf8'));
  const plugins = discoverPlugins(cliRoot);
  pjson.dependencies = { ...pjson.dependencies, ...Object.fromEntries(plugins.map((p) => [p, '*'])) };
  pjson.oclif = { ...pjson.oclif, plugins: [...(pjson.oclif.plugins ?? []), ...plugins] };
  return pjson;
}

/** Run the CLI with `argv` (without node and script). */
export async function run(argv: string[] = process.argv.slice(2)): Promise<void> {
  await execute({ args: argv, dir: import.meta.url, loadOptions: { root: cliRoot, pjson: cliPackageJson() as never } });
}
