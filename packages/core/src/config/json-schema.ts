import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { writeFileAtomic } from '../fs/index.js';
import { configFileSchema } from './schema.js';

/** Where the package ships the generated JSON Schema (packages/core/schema/ovirt-repo.schema.json). */
export const CONFIG_SCHEMA_FILE = fileURLToPath(new URL('../../schema/ovirt-repo.schema.json', import.meta.url));

/**
 * The JSON Schema (draft 2020-12) of ovirt-repo.yaml, generated from the zod schema: what editors check the
 * file with (yaml-language-server), printed by `ovirt-repo config schema`.
 */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configFileSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}

/** The JSON Schema as the shipped file holds it: two-space indented, newline at the end. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

/** Write the JSON Schema to `file` (default: the shipped file) unless it already holds it. */
export async function writeConfigJsonSchema(file: string = CONFIG_SCHEMA_FILE): Promise<{ file: string; changed: boolean }> {
  const text = configJsonSchemaText();
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current === text) return { file, changed: false };
  await writeFileAtomic(file, text);
  return { file, changed: true };
}
