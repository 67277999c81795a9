import { join } from 'node:path';
import { parseConfig } from './parse.js';
import { configToYaml } from './render.js';

describe('configToYaml', () => {
  const text = `store: store
baseUrl: https://repos.example.org/ci
defaults:
  retention: { maxAge: 1d12h, keep: 5 }
repos:
  cs9-baseos:
    source: https://mirror.example.org/cs9/
    arch: x86_64
    retention: { maxAge: 2w }
  experimental-master-el9:
    mode: additive
publish:
  tested:
    from: experimental-master-el9
    to: out/tested
sync:
  maxMetadataSize: 512M
`;

  it('writes durations and sizes as people do, and the result loads back to the same configuration', () => {
    const file = join('/ci', 'ovirt-repo.yaml');
    const config = parseConfig(text, { file });
    const yaml = configToYaml(config, ['effective configuration']);
    expect(yaml).toMatch(/^# effective configuration\nstore: \/ci\/store\n/);
    expect(yaml).toContain('maxAge: 1d12h');
    expect(yaml).toContain('maxAge: 14d');
    expect(yaml).toContain('to: /ci/out/tested');
    expect(yaml).toContain('maxMetadataSize: 512MiB');
    expect(parseConfig(yaml, { file: join('/elsewhere', 'ovirt-repo.yaml') })).toEqual(config);
  });

  it('JSON output (seconds, bytes) loads back too, since a number is seconds or bytes', () => {
    const config = parseConfig(text, { file: '/ci/ovirt-repo.yaml' });
    expect(config.repos['cs9-baseos']!.retention.maxAge).toBe(1_209_600);
    expect(config.sync.maxMetadataSize).toBe(512 * 2 ** 20);
    expect(parseConfig(JSON.stringify(config), { file: '/x/ovirt-repo.yaml' })).toEqual(config);
  });
});
