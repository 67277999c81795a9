import { readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureOutput } from '@oclif/test';
import { makeTempDir } from '@ovirt-repo/test-support';
import Inject from '../src/commands/inject.js';
import { injectFiles } from '../src/lib/inject.js';
import { refusedUrl } from './helpers/http-server.js';

const pluginRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

const CONFIG = `[main]
gpgcheck = 0

[ovirt-master-el9-experimental]
baseurl = https://jenkins.example.org/job/vdsm/42/artifact/exported-artifacts/

[centos-baseos-el9]
baseurl = http://mirror.centos.org/9-stream/BaseOS/x86_64/os/

[local-tools]
baseurl = http://tools.example.org/el9/
`;

const mapUrl = (map: Record<string, unknown>) => `data:application/json,${encodeURIComponent(JSON.stringify(map))}`;
const SNAP = 'http://store.example.org/yum';

/**
 * inject --require: a test suite must not run green against upstream because the section holding the build
 * is named differently in the config and in the map. Nothing is written when a required section is not injected.
 */
describe('inject --require SECTION', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let config: string;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('ost-require-'));
    config = join(dir, 'reposync-config.repo');
    await writeFile(config, CONFIG);
  });
  afterEach(() => cleanup());

  const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as { code: string; message: string; hint: string; data: { missing: string[] } });

  it('passes when the section is injected, and reports the sections left alone', async () => {
    const map = mapUrl({ 'ovirt-master-el9-experimental': `${SNAP}/ovirt-master-el9-experimental/S1`, 'centos-baseos-el9': `${SNAP}/centos-baseos-el9/S2` });
    const result = await injectFiles({ files: [config], mirrors: map, require: ['ovirt-master-el9-experimental'] });
    expect(result.files).toEqual([expect.objectContaining({ changed: true, leftAlone: ['local-tools'], injected: [expect.objectContaining({ section: 'ovirt-master-el9-experimental' }), expect.objectContaining({ section: 'centos-baseos-el9' })] })]);
    expect(await readFile(config, 'utf8')).toContain(`baseurl = ${SNAP}/ovirt-master-el9-experimental/S1`);
  });

  it('fails when the map names the repo differently, suggesting the close name, files and lock unwritten', async () => {
    const map = mapUrl({ 'ovirt-master-el9-experimentl': `${SNAP}/x/S1`, 'centos-baseos-el9': `${SNAP}/centos-baseos-el9/S2` });
    const before = await stat(config);
    const err = await failure(injectFiles({ files: [config], mirrors: map, require: ['ovirt-master-el9-experimental'], lockOut: join(dir, 'run.lock.json') }));
    expect(err).toMatchObject({ code: 'E_VERIFY_FAILED', data: { missing: ['ovirt-master-el9-experimental'] } });
    expect(err?.message).toContain('[ovirt-master-el9-experimental]: the mirror map names no repo "ovirt-master-el9-experimental" (did you mean "ovirt-master-el9-experimentl"?)');
    expect(err?.message).toContain('no file was changed');
    expect(err?.hint).toMatch(/section names of the configs and the repo names of the mirror map/);
    expect(await readFile(config, 'utf8')).toBe(CONFIG);
    expect((await stat(config)).mtimeMs).toBe(before.mtimeMs);
    await expect(stat(join(dir, 'run.lock.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('says why for each missing section: not in any config, protected by ost_skip_injection, named by neither', async () => {
    await writeFile(config, `${CONFIG}\n[pinned-el9]\nbaseurl = http://pinned.example.org/\nost_skip_injection = True\n`);
    const map = mapUrl({ 'ovirt-master-el8-experimental': `${SNAP}/a/S1`, 'pinned-el9': `${SNAP}/b/S2`, 'before:nowhere': [['inserted-el9', `${SNAP}/c/S3`]] });
    const err = await failure(injectFiles({ files: [config], mirrors: map, require: ['ovirt-master-el8-experimental', 'pinned-el9', 'unheard-of', 'inserted-el9'] }));
    expect(err?.data.missing).toEqual(['ovirt-master-el8-experimental', 'pinned-el9', 'unheard-of', 'inserted-el9']);
    expect(err?.message).toContain('4 required sections were not injected');
    expect(err?.message).toContain('[ovirt-master-el8-experimental]: no config has a section [ovirt-master-el8-experimental] (did you mean "ovirt-master-el9-experimental"?)');
    expect(err?.message).toContain(`[pinned-el9]: ${config} marks it ost_skip_injection = True`);
    expect(err?.message).toContain('[unheard-of]: neither the mirror map nor any config names it');
    expect(err?.message).toContain('[inserted-el9]: the mirror map inserts it before [nowhere], which no config has');
    expect(await readFile(config, 'utf8')).not.toContain(SNAP);
  });

  it('an unreachable map fails a required section even without --strict, files unchanged', async () => {
    const err = await failure(injectFiles({ files: [config], mirrors: `${await refusedUrl()}/all_latest.json`, require: ['ovirt-master-el9-experimental'], http: { tries: 1, timeoutMs: 2000 } }));
    expect(err).toMatchObject({ code: 'E_VERIFY_FAILED' });
    expect(err?.message).toMatch(/\[ovirt-master-el9-experimental\]: the mirror map could not be read \(GET .* failed: /);
    expect(await readFile(config, 'utf8')).toBe(CONFIG);
    // Without --require it stays mirror_client's warning, the sections reported as left alone.
    const warned = await injectFiles({ files: [config], mirrors: `${await refusedUrl()}/all_latest.json`, http: { tries: 1, timeoutMs: 2000 } });
    expect(warned).toMatchObject({ status: 'unreachable', files: [{ changed: false, leftAlone: ['ovirt-master-el9-experimental', 'centos-baseos-el9', 'local-tools'] }] });
  });

  it('the command: exit 1 with the error under --json; the summary names what was injected and what was left alone', async () => {
    const exitCode = process.exitCode;
    try {
      const bad = await captureOutput(() => Inject.run(['--json', '--mirrors', mapUrl({ 'centos-baseos-el9': `${SNAP}/c/S2` }), config, '--require', 'ovirt-master-el9-experimental'], pluginRoot));
      expect((bad.error as { oclif?: { exit?: number } } | undefined)?.oclif?.exit).toBe(1);
      expect(JSON.parse(bad.stdout)).toMatchObject({ error: { code: 'E_VERIFY_FAILED', data: { missing: ['ovirt-master-el9-experimental'] } } });
      expect(await readFile(config, 'utf8')).toBe(CONFIG);
      // One section per --require: a config named after it is still a config.
      const ok = await captureOutput(() => Inject.run(['--mirrors', mapUrl({ 'centos-baseos-el9': `${SNAP}/c/S2` }), '--require', 'centos-baseos-el9', config], pluginRoot));
      expect(ok.error).toBeUndefined();
      expect(ok.stdout).toContain(`${config}: injected centos-baseos-el9; left alone ovirt-master-el9-experimental, local-tools`);
    } finally {
      process.exitCode = exitCode;
    }
  });

  it('inject.require in ovirt-repo.yaml (--config) requires the same, the flag adding to it', async () => {
    const yaml = join(dir, 'ovirt-repo.yaml');
    await writeFile(yaml, 'inject:\n  require: [ovirt-master-el9-experimental]\n');
    const exitCode = process.exitCode;
    try {
      const map = mapUrl({ 'centos-baseos-el9': `${SNAP}/c/S2` });
      const fromConfig = await captureOutput(() => Inject.run(['--json', '--mirrors', map, config, '--config', yaml], pluginRoot));
      expect(JSON.parse(fromConfig.stdout)).toMatchObject({ error: { code: 'E_VERIFY_FAILED', data: { missing: ['ovirt-master-el9-experimental'] } } });
      const both = await captureOutput(() => Inject.run(['--json', '--mirrors', map, config, '--config', yaml, '--require', 'local-tools'], pluginRoot));
      expect(JSON.parse(both.stdout)).toMatchObject({ error: { data: { missing: ['ovirt-master-el9-experimental', 'local-tools'] } } });
      expect(await readFile(config, 'utf8')).toBe(CONFIG);
    } finally {
      process.exitCode = exitCode;
    }
  });
});
