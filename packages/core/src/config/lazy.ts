import type { LoadConfigOptions, LoadedConfig } from './load.js';
import type { OvirtRepoConfig } from './resolve.js';

// The config file's parser and schema pull in zod and yaml (about 100 ms of module loading). Every command
// imports core, and most read no config file, so these entry points load them on first use.

/** Find, read and validate ovirt-repo.yaml (see load.ts). */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  return (await import('./load.js')).loadConfig(options);
}

/** The JSON Schema of ovirt-repo.yaml, generated from the zod schema. */
export async function configJsonSchema(): Promise<Record<string, unknown>> {
  return (await import('./json-schema.js')).configJsonSchema();
}

/** The effective configuration as YAML that loads again as a valid config file. */
export async function configToYaml(config: OvirtRepoConfig, comments: readonly string[] = []): Promise<string> {
  return (await import('./render.js')).configToYaml(config, comments);
}
