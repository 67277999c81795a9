import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureOutput } from '@oclif/test';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import Publish from '../src/commands/publish.js';
import PublishTargets from '../src/commands/publish/targets.js';
import type { PublishResult } from '../src/lib/publish.js';
import { makeRepo, rpmSpec } from './helpers/repos.js';

const pluginRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

// In-process: the command classes with the plugin's real oclif config (flag parsing, --json, errors).
describeWithTools(['createrepo_c'], 'publish commands', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let source: string;
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    source = await makeRepo(join(dir, 'src'), [rpmSpec('hello', '1.0')]);
  });
  afterAll(() => cleanup());

  it('publish --json prints the typed result; a repeat reports nothing to publish', async () => {
    const dest = join(dir, 'dest');
    const out = await captureOutput<PublishResult>(() => Publish.run(['--json', '--from', source, '--to', dest], pluginRoot));
    expect(out.error).toBeUndefined();
    const result = JSON.parse(out.stdout) as PublishResult;
    expect(result).toMatchObject({ source, destination: dest, changed: true, dryRun: false, listed: { total: 1 }, uploaded: { packages: 1 } });
    expect(result.added[0]).toMatchObject({ nevra: 'hello-1.0-1.noarch', size: expect.any(Number) });
    expect(typeof result.bytes.uploaded).toBe('number');
    const again = await captureOutput(() => Publish.run(['--from', source, '--to', dest], pluginRoot));
    expect(again.stdout).toContain(`Nothing to publish: ${dest} already lists what ${source} has (1 package, revision `);
    expect(await readFile(join(dest, 'repodata', 'repomd.xml'), 'utf8')).toContain('<repomd');
  });

  it('prints a human summary', async () => {
    const out = await captureOutput(() => Publish.run(['--from', source, '--to', join(dir, 'human'), '--keep-days', '7', '--keep-versions', '2'], pluginRoot));
    expect(out.stdout).toMatch(/^Published .* to .*: 1 package listed \(1 from the source, 0 kept from history\); 1 added, 0 no longer listed\.$/m);
    expect(out.stdout).toMatch(/^Copied 1 package and 4 metadata files \(\d+\.\d KiB\)\.$/m);
  });

  it('fails with exit 1, the code and the known schemes for an unknown destination scheme', async () => {
    const out = await captureOutput(() => Publish.run(['--from', source, '--to', 'gs://bucket/latest'], pluginRoot));
    expect(out.error).toMatchObject({ oclif: { exit: 1 } });
    expect(out.stderr).toContain('E_UNKNOWN_SCHEME');
    expect(out.stderr).toContain('"gs:"');
    expect(out.stderr).toMatch(/Known schemes: file: .*rsync: .*s3: .*ssh: /);
  });

  it('reports errors as JSON under --json', async () => {
    const out = await captureOutput(() => Publish.run(['--json', '--from', join(dir, 'missing'), '--to', join(dir, 'x')], pluginRoot));
    expect(out.error).toMatchObject({ oclif: { exit: 1 } });
    expect(JSON.parse(out.stdout)).toMatchObject({ error: { code: expect.stringMatching(/^E_/), message: expect.stringContaining(join(dir, 'missing')) } });
  });

  it('needs a source, and --repo with --from-lock', async () => {
    const none = await captureOutput(() => Publish.run(['--to', join(dir, 'x')], pluginRoot));
    expect(none.stderr).toContain('E_USAGE');
    const noRepo = await captureOutput(() => Publish.run(['--from-lock', 'run.lock.json', '--to', join(dir, 'x')], pluginRoot));
    expect(noRepo.error?.oclif?.exit).toBe(2);
    expect(noRepo.stderr).toMatch(/E_USAGE.*--from-lock needs --repo/);
    const badOption = await captureOutput(() => Publish.run(['--from', source, '--to', join(dir, 'x'), '--target-option', 'novalue'], pluginRoot));
    expect(badOption.stderr).toContain('is not KEY=VALUE');
  });

  it('publish targets lists the schemes and checks a destination', async () => {
    const list = await captureOutput<{ targets: Array<{ scheme: string }> }>(() => PublishTargets.run(['--json'], pluginRoot));
    expect(JSON.parse(list.stdout).targets.map((t: { scheme: string }) => t.scheme)).toEqual(expect.arrayContaining(['file', 'rsync', 'ssh']));
    const check = await captureOutput(() => PublishTargets.run(['--check', join(dir, 'checked')], pluginRoot));
    expect(check.error).toBeUndefined();
    expect(check.stdout).toMatch(/all \d+ checks passed \(capabilities: hardlink, symlink, local-path, lock\)/);
  });
});
