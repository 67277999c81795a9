import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { FULL } from './example.spec.helper.js';
import { CONFIG_SCHEMA_FILE, configJsonSchema, configJsonSchemaText } from './json-schema.js';
import { parseConfig } from './parse.js';

type Schema = Record<string, unknown>;

/**
 * A deliberately small JSON Schema checker for the keywords the generated schema uses, so the test shows
 * what an editor would accept or flag without a validator dependency. Returns the paths that fail.
 */
function check(schema: Schema, value: unknown, path = '$'): string[] {
  const errors: string[] = [];
  const fail = (why: string) => errors.push(`${path}: ${why}`);
  if (Array.isArray(schema['anyOf'])) {
    const branches = (schema['anyOf'] as Schema[]).map((s) => check(s, value, path));
    if (branches.every((b) => b.length > 0)) {
      // Report the branch of the value's own type (as editors do), not every alternative.
      const ofItsType = branches.filter((b) => !(b.length === 1 && b[0]!.startsWith(`${path}: expected `)));
      errors.push(...(ofItsType[0] ?? [`${path}: matches none of anyOf`]));
    }
  }
  const type = schema['type'] as string | undefined;
  const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  if (type && !(type === actual || (type === 'number' && actual === 'integer'))) return [...errors, `${path}: expected ${type}, got ${actual}`];
  if (Array.isArray(schema['enum']) && !(schema['enum'] as unknown[]).includes(value)) fail(`not one of ${JSON.stringify(schema['enum'])}`);
  if (typeof value === 'string') {
    if (typeof schema['pattern'] === 'string' && !new RegExp(schema['pattern'] as string, 'u').test(value)) fail(`does not match ${schema['pattern']}`);
    if (typeof schema['minLength'] === 'number' && value.length < (schema['minLength'] as number)) fail('too short');
    if (typeof schema['maxLength'] === 'number' && value.length > (schema['maxLength'] as number)) fail('too long');
  }
  if (typeof value === 'number') {
    if (typeof schema['minimum'] === 'number' && value < (schema['minimum'] as number)) fail('below minimum');
    if (typeof schema['maximum'] === 'number' && value > (schema['maximum'] as number)) fail('above maximum');
  }
  if (Array.isArray(value) && schema['items']) value.forEach((v, i) => errors.push(...check(schema['items'] as Schema, v, `${path}[${i}]`)));
  if (actual === 'object') {
    const obj = value as Record<string, unknown>;
    const props = (schema['properties'] ?? {}) as Record<string, Schema>;
    for (const key of (schema['required'] ?? []) as string[]) if (!(key in obj)) fail(`missing ${key}`);
    for (const [key, v] of Object.entries(obj)) {
      if (schema['propertyNames']) errors.push(...check(schema['propertyNames'] as Schema, key, `${path}.${key} (name)`));
      if (props[key]) errors.push(...check(props[key]!, v, `${path}.${key}`));
      else if (schema['additionalProperties'] === false) fail(`unknown key ${key}`);
      else if (typeof schema['additionalProperties'] === 'object') errors.push(...check(schema['additionalProperties'] as Schema, v, `${path}.${key}`));
    }
  }
  return errors;
}

const docsPage = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'docs', 'config.md');

describe('configJsonSchema', () => {
  const schema = configJsonSchema();

  it('is a draft 2020-12 schema of a strict mapping with every top-level section', () => {
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema['type']).toBe('object');
    expect(schema['additionalProperties']).toBe(false);
    expect(Object.keys(schema['properties'] as Schema)).toEqual(['$schema', 'store', 'baseUrl', 'defaults', 'repos', 'publish', 'sync', 'network', 's3', 'inject']);
    expect(schema['title']).toMatch(/ovirt-repo\.yaml/);
  });

  it('describes the input as written: durations as text, repo names as a pattern, defaults annotated', () => {
    const text = configJsonSchemaText();
    expect(text).toContain('"pattern": "^(?:\\\\d+[smhdw])+$"');
    expect(text).toContain('"enum": [\n');
    expect(text).toContain('"default": 14');
    const repos = (schema['properties'] as Record<string, Schema>)['repos']!;
    expect(repos['propertyNames']).toMatchObject({ maxLength: 200 });
  });

  it('accepts the full example and flags what the loader rejects', () => {
    expect(check(schema, parse(FULL))).toEqual([]);
    expect(check(schema, { repos: { r: { mode: 'add' } } })).toEqual(['$.repos.r.mode: not one of ["mirror","additive"]']);
    expect(check(schema, { sync: { paralel: 2 } })).toEqual(['$.sync: unknown key paralel']);
    expect(check(schema, { defaults: { retention: { maxAge: '14 days' } } })).toContainEqual('$.defaults.retention.maxAge: does not match ^(?:\\d+[smhdw])+$');
    expect(check(schema, { repos: { '../x': { mode: 'additive' }, all_latest: null } })).toEqual([
      '$.repos.../x (name): does not match ^(?!all_latest(\\.|$))(?!.*\\.\\.)[A-Za-z0-9][A-Za-z0-9._+-]*$',
      '$.repos.all_latest (name): does not match ^(?!all_latest(\\.|$))(?!.*\\.\\.)[A-Za-z0-9][A-Za-z0-9._+-]*$',
    ]);
    expect(check(schema, { publish: { t: { from: 'r' } } })).toEqual(['$.publish.t: missing to']);
  });

  it('matches the committed packages/core/schema/ovirt-repo.schema.json (the build regenerates it)', async () => {
    const committed = await readFile(CONFIG_SCHEMA_FILE, 'utf8').catch(() => '(missing)');
    // When this fails: run `npx nx run @ovirt-repo/core:build` (or node dist/config/write-json-schema.js) and commit the file.
    expect(committed).toBe(configJsonSchemaText());
  });

  it('every yaml example in docs/config.md is a valid configuration, for the loader and the schema', async () => {
    const page = await readFile(docsPage, 'utf8');
    const blocks = [...page.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThan(3);
    for (const block of blocks) {
      let problem: string | undefined;
      try {
        parseConfig(block, { file: '/ci/ovirt-repo.yaml' });
      } catch (e) {
        problem = `${(e as Error).message}\nin this example:\n${block}`;
      }
      expect(problem).toBeUndefined();
      expect(check(schema, parse(block, { merge: true }) ?? {})).toEqual([]);
    }
  });
});
