import {
  BASE_URL_ENV,
  BaseCommand,
  CONFIG_ENV,
  STORE_ENV,
  configToYaml,
  loadConfig,
  sharedFlags,
  type LoadedConfig,
} from '@ovirt-repo/core';

export default class ConfigShow extends BaseCommand<typeof ConfigShow> {
  static override summary = 'Print the effective configuration: ovirt-repo.yaml with defaults filled in and the environment and flags applied.';

  static override description = `Finds the configuration file as every command does (--config, then OVIRT_REPO_CONFIG, then ./ovirt-repo.yaml; none at all means built-in defaults), validates it, and prints what commands will use: every default filled in, each repo merged with "defaults", paths made absolute (relative to the file's directory), and OVIRT_REPO_STORE / OVIRT_REPO_BASE_URL / --store / --base-url applied. The output is itself a valid ovirt-repo.yaml. With --json, durations are seconds. An invalid file fails listing every problem as file:line:column: key: message.`;

  static override examples = [
    { description: 'Check the configuration of this directory and see what it means', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Another file, as JSON (durations in seconds)', command: '<%= config.bin %> <%= command.id %> --config ci/ovirt-repo.yaml --json' },
    { description: 'Validate in CI without printing it', command: '<%= config.bin %> <%= command.id %> > /dev/null' },
  ];

  static override flags = {
    config: sharedFlags.config(),
    store: sharedFlags.store(),
    'base-url': sharedFlags.baseUrl(),
  };

  public async run(): Promise<LoadedConfig> {
    const loaded = await loadConfig({
      file: onlyIfGiven(this.flags.config, CONFIG_ENV),
      overrides: { store: onlyIfGiven(this.flags.store, STORE_ENV), baseUrl: onlyIfGiven(this.flags['base-url'], BASE_URL_ENV) },
    });
    this.log((await configToYaml(loaded.config, headerLines(loaded))).trimEnd());
    return loaded;
  }
}

/**
 * A flag's value unless oclif filled it from its environment variable: loadConfig reads the variable itself,
 * so the output says where each value came from.
 */
function onlyIfGiven(value: string | undefined, envName: string): string | undefined {
  return value !== undefined && value !== process.env[envName] ? value : undefined;
}

const VIA = { flag: '--config', env: CONFIG_ENV, cwd: 'the working directory' } as const;
const ORIGIN = { flag: 'the command line', env: 'the environment', file: 'the file', default: "the store's file:// URL" } as const;

function headerLines(loaded: LoadedConfig): string[] {
  const lines = loaded.file
    ? [`Effective configuration from ${loaded.file} (found via ${VIA[loaded.via ?? 'flag']}).`]
    : [`No configuration file (no --config, no ${CONFIG_ENV}, no ./ovirt-repo.yaml): built-in defaults.`];
  lines.push('Defaults filled in, paths absolute; valid as an ovirt-repo.yaml itself.');
  if (loaded.origins.store && loaded.origins.store !== 'file') lines.push(`store: from ${ORIGIN[loaded.origins.store]}${loaded.origins.store === 'env' ? ` (${STORE_ENV})` : ''}.`);
  if (loaded.origins.baseUrl && loaded.origins.baseUrl !== 'file') lines.push(`baseUrl: from ${ORIGIN[loaded.origins.baseUrl]}${loaded.origins.baseUrl === 'env' ? ` (${BASE_URL_ENV})` : ''}.`);
  return lines;
}
