import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureOutput } from '@oclif/test';
import type { LoadedConfig } from '@ovirt-repo/core';
import { cliRoot } from '../../run.js';
import ConfigSchema from './schema.js';
import ConfigShow from './show.js';

const CONFIG = `store: store
baseUrl: https://repos.example.org/ci/
defaults:
  retention: { maxAge: 14d, keep: 5 }
repos:
  cs9-baseos:
    source: https://mirror.example.org/cs9/BaseOS/x86_64/os/
    arch: [x86_64, noarch]
  experimental-master-el9:
    mode: additive
publish:
  tested-master-el9:
    from: experimental-master-el9
    to: published/tested
`;


const ENV_NAMES = ['OVIRT_REPO_CONFIG', 'OVIRT_REPO_STORE', 'OVIRT_REPO_BASE_URL'];
const savedEnv = Object.fromEntries(ENV_NAMES.map((n) => [n, process.env[n]]));
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ovirt-repo-config-show-'));
  await mkdir(join(dir, 'ci'));
  for (const name of ENV_NAMES) delete process.env[name];
});
afterEach(async () => {
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  process.exitCode = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('ovirt-repo config show', () => {
  it('--json returns the effective configuration, paths resolved against the file', async () => {
    const file = join(dir, 'ci', 'ovirt-repo.yaml');
    await writeFile(file, CONFIG);
    const { stdout, result, error } = await captureOutput<LoadedConfig>(() => ConfigShow.run(['--json', '--config', file], cliRoot));
    expect(error).toBeUndefined();
    const printed = JSON.parse(stdout) as LoadedConfig;
    expect(printed).toEqual({ ...JSON.parse(JSON.stringify(result)), warnings: [] });
    expect(printed.file).toBe(file);
    expect(printed.via).toBe('flag');
    expect(printed.origins).toEqual({ store: 'file', baseUrl: 'file' });
    expect(printed.config.store).toBe(join(dir, 'ci', 'store'));
    expect(printed.config.baseUrl).toBe('https://repos.example.org/ci');
    expect(printed.config.repos['cs9-baseos']).toEqual({
      sources: ['https://mirror.example.org/cs9/BaseOS/x86_64/os/'],
      mode: 'mirror',
      arch: ['x86_64', 'noarch'],
      include: [],
      exclude: [],
      newestOnly: false,
      retention: { maxAge: 1_209_600, keep: 5 },
    });
    expect(printed.config.repos['experimental-master-el9']).toMatchObject({ mode: 'additive', keepVersions: 1, sources: [] });
    expect(printed.config.publish['tested-master-el9']).toEqual({
      from: 'experimental-master-el9',
      to: join(dir, 'ci', 'published', 'tested'),
      keepDays: 14,
      keepMetadataDays: 2,
    });
    expect(printed.config.sync).toEqual({ parallel: 4, workers: 8, maxMetadataSize: 4 * 2 ** 30 });
  });

  it('prints YAML with where each value came from; flags beat the environment', async () => {
    const file = join(dir, 'ovirt-repo.yaml');
    await writeFile(file, CONFIG);
    process.env['OVIRT_REPO_CONFIG'] = file;
    process.env['OVIRT_REPO_STORE'] = '/env/store';
    const { stdout, error } = await captureOutput(() => ConfigShow.run(['--base-url', 'http://flag.example.org/repos'], cliRoot));
    expect(error).toBeUndefined();
    expect(stdout).toContain(`# Effective configuration from ${file} (found via OVIRT_REPO_CONFIG).\n`);
    expect(stdout).toContain('# store: from the environment (OVIRT_REPO_STORE).\n');
    expect(stdout).toContain('# baseUrl: from the command line.\n');
    expect(stdout).toContain('\nstore: /env/store\nbaseUrl: http://flag.example.org/repos\n');
    expect(stdout).toMatch(/\n {2}cs9-baseos:\n {4}sources:\n {6}- https:\/\/mirror\.example\.org\/cs9\/BaseOS\/x86_64\/os\/\n {4}mode: mirror\n/);
    expect(stdout).toContain('maxAge: 14d');
  });

  it('shows built-in defaults when there is no configuration file', async () => {
    const { stdout, error } = await captureOutput<LoadedConfig>(() => ConfigShow.run(['--json', '--store', join(dir, 's')], cliRoot));
    expect(error).toBeUndefined();
    const printed = JSON.parse(stdout) as LoadedConfig;
    expect(printed.file).toBeUndefined();
    expect(printed.config).toMatchObject({ store: join(dir, 's'), baseUrl: `file://${join(dir, 's')}`, repos: {}, publish: {} });
    expect(printed.origins).toEqual({ store: 'flag', baseUrl: 'default' });
  });

  it('fails listing every problem with file:line:column and key path (also as JSON)', async () => {
    const file = join(dir, 'ovirt-repo.yaml');
    await writeFile(file, 'repos:\n  experimental-master-el9:\n    mode: add\nsync:\n  paralel: 2\n');
    const { stdout, error } = await captureOutput(() => ConfigShow.run(['--json', '--config', file], cliRoot));
    expect(error).toBeDefined();
    const printed = JSON.parse(stdout) as { error: { code: string; message: string; data: { problems: unknown[] } } };
    expect(printed.error.code).toBe('E_CONFIG_INVALID');
    expect(printed.error.message).toContain(':3:5: repos.experimental-master-el9.mode: must be "mirror" or "additive", got "add"');
    expect(printed.error.message).toContain(':5:3: sync.paralel: unknown key (did you mean "parallel"?)');
    expect(printed.error.data.problems).toHaveLength(2);

    const human = await captureOutput(() => ConfigShow.run(['--config', file], cliRoot));
    expect(human.stderr).toMatch(/^Error \[E_CONFIG_INVALID\]: .*ovirt-repo\.yaml has 2 problems:\n/);
    expect(human.stderr).toContain('Hint: fix the keys listed');
  });

  it('fails for a --config file that does not exist', async () => {
    const { stderr, error } = await captureOutput(() => ConfigShow.run(['--config', join(dir, 'missing.yaml')], cliRoot));
    expect(error).toBeDefined();
    expect(stderr).toContain(`Error [E_NOT_FOUND]: configuration file not found: ${join(dir, 'missing.yaml')} (given by --config)`);
  });
});

describe('ovirt-repo config schema', () => {
  it('prints the JSON Schema, and returns it for --json', async () => {
    const { stdout, result } = await captureOutput<Record<string, unknown>>(() => ConfigSchema.run([], cliRoot));
    const schema = JSON.parse(stdout) as Record<string, unknown>;
    expect(schema).toEqual(result);
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(schema['properties'] as object)).toEqual(expect.arrayContaining(['store', 'baseUrl', 'defaults', 'repos', 'publish', 'sync']));
    const json = await captureOutput(() => ConfigSchema.run(['--json'], cliRoot));
    expect(JSON.parse(json.stdout)).toEqual(schema);
  });
});
