import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { makeTempDir } from '@ovirt-repo/test-support';
import { makeArtifacts, ovirtRepoBin } from './helpers.js';

const ovirtRepo = (args: string[], cwd?: string) => execa(process.execPath, [ovirtRepoBin, ...args], { reject: false, cwd });

// End-to-end: the real `ovirt-repo` binary with --json, as a build job runs it.
describe('ovirt-repo minirepo (binary)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
  afterEach(() => cleanup());

  it('creates and verifies exported-artifacts by default', async () => {
    await makeArtifacts(join(dir, 'exported-artifacts'));
    const created = await ovirtRepo(['minirepo', 'create', '--json'], dir);
    expect(created.exitCode).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ packages: 3, directory: join(dir, 'exported-artifacts') });
    const verified = await ovirtRepo(['minirepo', 'verify', '--json'], dir);
    expect(verified.exitCode).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ packages: 3 });
  });

  it('verify exits non-zero and lists the problems', async () => {
    const [alpha] = await makeArtifacts(dir);
    expect((await ovirtRepo(['minirepo', 'create', dir])).exitCode).toBe(0);
    await rm(alpha);
    const verified = await ovirtRepo(['minirepo', 'verify', dir]);
    expect(verified.exitCode).toBe(1);
    expect(verified.stderr).toContain('E_VERIFY_FAILED');
    expect(verified.stderr).toContain('alpha-1.0-1.x86_64.rpm: missing');
  });

  it('reports a bad command line as E_USAGE with exit 2, also under --json', async () => {
    const plain = await ovirtRepo(['minirepo', 'create', '--no-such-flag']);
    expect(plain.exitCode).toBe(2);
    const json = await ovirtRepo(['minirepo', 'create', '--no-such-flag', '--json']);
    expect(json.exitCode).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'E_USAGE', message: expect.stringContaining('--no-such-flag') } });
  });

  it('has help with examples', async () => {
    const help = await ovirtRepo(['minirepo', 'create', '--help']);
    expect(help.stdout).toContain('EXAMPLES');
    expect(help.stdout).toContain('--changelog-limit');
    expect(help.stdout).toContain('SOURCE_DATE_EPOCH');
  });
});
