import type { OvirtRepoConfig } from './resolve.js';

// The schema and the YAML renderer pull in zod and yaml (about 100 ms of module loading). Every command
// imports core, and most never need them, so these entry points load them on first use. (loadConfig does
// the same for the parser itself: see load.ts.)

/** The JSON Schema of ovirt-repo.yaml, generated from the zod schema. */
export async function configJsonSchema(): Promise<Record<string, unknown>> {
  return (await import('./json-schema.js')).configJsonSchema();
}

/** The effective configuration as YAML that loads again as a valid config file. */
export async function configToYaml(config: OvirtRepoConfig, comments: readonly string[] = []): Promise<string> {
  return (await import('./render.js')).configToYaml(config, comments);
}
