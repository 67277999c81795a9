/**
 * Build step: regenerate the shipped JSON Schema from the zod schema.
 *   node dist/config/write-json-schema.js            write packages/core/schema/ovirt-repo.schema.json
 *   node dist/config/write-json-schema.js --check    exit 1 when the file is stale (for CI)
 *   node dist/config/write-json-schema.js OUT.json   write another file
 */
import { readFile } from 'node:fs/promises';
import { CONFIG_SCHEMA_FILE, configJsonSchemaText, writeConfigJsonSchema } from './json-schema.js';

const args = process.argv.slice(2);
const check = args.includes('--check');
const file = args.find((a) => !a.startsWith('--')) ?? CONFIG_SCHEMA_FILE;

if (check) {
  const current = await readFile(file, 'utf8').catch(() => '');
  if (current !== configJsonSchemaText()) {
    process.stderr.write(`${file} is stale: rebuild @ovirt-repo/core (npx nx run @ovirt-repo/core:build) and commit it\n`);
    process.exitCode = 1;
  }
} else {
  await writeConfigJsonSchema(file);
}
