import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'run.js');
const run = (args: string[]) => promisify(execFile)(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '1' } });

// End-to-end: the real binary, as CI jobs run it (needs `npm run build` first; npm test does that).
describe('ovirt-repo binary', () => {
  it('lists the commands of the plugins installed in the workspace', async () => {
    const { stdout } = await run(['--help']);
    expect(stdout).toContain('minirepo');
    expect(stdout).toContain('plugins');
    const { stdout: topic } = await run(['minirepo', '--help']);
    expect(topic).toMatch(/minirepo create/);
    expect(topic).toMatch(/minirepo verify/);
  });

  it('prints the version', async () => {
    const { stdout } = await run(['--version']);
    expect(stdout).toMatch(/^@ovirt-repo\/cli\/\d+\.\d+\.\d+ linux-/);
  });

  it('fails with a non-zero exit and a helpful message for an unknown command', async () => {
    await expect(run(['no-such-command'])).rejects.toMatchObject({ code: 2 });
  });
});
