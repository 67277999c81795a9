import { BaseCommand, configJsonSchema } from '@ovirt-repo/core';

export default class ConfigSchema extends BaseCommand<typeof ConfigSchema> {
  static override summary = 'Print the JSON Schema of ovirt-repo.yaml (for editors and CI linters).';

  static override description = `The schema is generated from the same definition the loader validates with, so an editor that uses it (yaml-language-server, VS Code's YAML extension, JetBrains IDEs) flags unknown keys, wrong types and bad values as you type, and completes keys with their documentation. The same schema ships in the @ovirt-repo/core package as schema/ovirt-repo.schema.json.`;

  static override resultIsDocument = true;

  static override examples = [
    { description: 'Save it beside the configuration', command: '<%= config.bin %> <%= command.id %> > ovirt-repo.schema.json' },
    { description: 'Look at the part that describes repos', command: "<%= config.bin %> <%= command.id %> | jq '.properties.repos'" },
  ];

  public async run(): Promise<Record<string, unknown>> {
    const schema = await configJsonSchema();
    this.log(JSON.stringify(schema, null, 2));
    return schema;
  }
}
