import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { captureOutput } from '@oclif/test';
import { makeTempDir } from '@ovirt-repo/test-support';
import { makeArtifacts, pluginRoot } from '../../../test/helpers.js';
import MinirepoCreate from './create.js';
import MinirepoVerify from './verify.js';

// In-process: the command classes with the plugin's real oclif config (flags parsing, --json, errors).
describe('minirepo commands', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
  afterEach(() => cleanup());

  it('create --json returns the typed result and verify confirms it', async () => {
    await makeArtifacts(dir);
    const created = await captureOutput<{ packages: number }>(() => MinirepoCreate.run([dir, '--json', '--changelog-limit', '5'], pluginRoot));
    expect(created.error).toBeUndefined();
    expect(JSON.parse(created.stdout)).toMatchObject({ directory: dir, packages: 3, reused: 0 });
    const verified = await captureOutput(() => MinirepoVerify.run([dir, '--json'], pluginRoot));
    expect(JSON.parse(verified.stdout)).toEqual({ directory: dir, packages: 3, metadataFiles: 3, warnings: [] });
  });

  it('create prints a human summary without --json', async () => {
    await makeArtifacts(dir);
    const out = await captureOutput(() => MinirepoCreate.run([dir], pluginRoot));
    expect(out.stdout).toContain(`Wrote ${dir}/repodata: 3 packages`);
  });

  it('create fails with exit 1 and names the bad file', async () => {
    const bad = join(dir, 'bad.rpm');
    await writeFile(bad, Buffer.alloc(500, 7));
    const out = await captureOutput(() => MinirepoCreate.run([dir], pluginRoot));
    expect(out.error).toMatchObject({ oclif: { exit: 1 } });
    expect(out.stderr).toContain('E_RPM_INVALID');
    expect(out.stderr).toContain(bad);
  });

  it('create --json reports errors as JSON with their code', async () => {
    const out = await captureOutput(() => MinirepoCreate.run([join(dir, 'missing'), '--json'], pluginRoot));
    expect(out.error).toMatchObject({ oclif: { exit: 1 } });
    expect(JSON.parse(out.stdout)).toMatchObject({ error: { code: 'E_NOT_FOUND', target: join(dir, 'missing') } });
  });

  it('rejects a bad flag value with a usage error', async () => {
    const out = await captureOutput(() => MinirepoCreate.run([dir, '--compress', 'lzma'], pluginRoot));
    expect(out.error).toMatchObject({ oclif: { exit: 2 } });
    // One line and a hint, never the whole help (the real binary's exact wording: packages/cli/test/cli.spec.ts).
    expect(out.stderr).toMatch(/^Error \[E_USAGE\]: .*--compress=lzma is not one of gz, xz, zstd\nHint: .* --help lists its flags and arguments\n$/);
  });
});
