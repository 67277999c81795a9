import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeWithTools, makeTempDir, terminalScreen } from '@ovirt-repo/test-support';
import { makeCorpus } from '@ovirt-repo/rpm-writer';
import { ensurePluginBuilt, repoRoot } from './helpers/built.js';
import { ovirtRepo, ovirtRepoOnTerminal } from './helpers/commands.js';

const run = promisify(execFile);
/** Enough packages for a sync of a few seconds, which a bar redrawn per package and per read (as before) filled with hundreds of redraws. */
const PACKAGES = 600;
const BAR = /\[[#.]{20}\]/;

describeWithTools(['createrepo_c', 'python3'], 'progress of the real binary', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let src: string;
  let rpms: string[];
  beforeAll(async () => {
    ensurePluginBuilt();
    if (!existsSync(join(repoRoot, 'packages', 'cli', 'dist', 'bundle', 'index.js'))) throw new Error('packages/cli is not built: run `npx nx run-many -t build`');
    ({ dir, cleanup } = await makeTempDir());
    src = join(dir, 'src');
    rpms = await makeCorpus(PACKAGES, join(src, 'Packages'));
    await run('createrepo_c', ['--quiet', '--workers', '2', src]);
  }, 120_000);
  afterAll(() => cleanup());

  it('on a terminal: a few KB of bar showing count/total, erased before the summary', async () => {
    const started = Date.now();
    const { code, output } = await ovirtRepoOnTerminal(['mirror', 'sync', 'el9', '--from', src, '--store', join(dir, 'tty-store')]);
    const seconds = (Date.now() - started) / 1000;
    expect(code).toBe(0);
    expect(output).toMatch(new RegExp(`Downloading packages ${BAR.source} \\d+/${PACKAGES} `));
    // At most ~10 redraws a second, each within the terminal's 120 columns (the sync wrote 483 KB):
    // a few KB for this sync, whose pace depends on the machine's load, so bounded by its time.
    const redraws = output.split('\r').filter((s) => s.startsWith('Downloading packages ['));
    expect(redraws.length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 1);
    expect(Math.max(...redraws.map((r) => r.length))).toBeLessThan(120);
    const screen = terminalScreen(output).filter((l) => l !== '');
    expect(screen.some((l) => BAR.test(l))).toBe(false);
    expect(screen).toContainEqual(expect.stringMatching(new RegExp(`^Downloaded ${PACKAGES} packages \\(\\d+\\.\\d MiB\\)$`)));
    expect(screen).toContainEqual(expect.stringMatching(new RegExp(`^Published el9/\\S+: ${PACKAGES} packages, \\+${PACKAGES} -0, ${PACKAGES} downloaded \\(\\d+\\.\\d MiB\\)$`)));
  }, 120_000);

  it('in a pipe: plain lines, no bar and no carriage return', async () => {
    const { code, stdout, stderr } = await ovirtRepo(['mirror', 'sync', 'el9', '--from', src, '--store', join(dir, 'pipe-store')], { CI: '' }); // not CI: the pipe alone makes it plain
    expect(code).toBe(0);
    expect(`${stdout}${stderr}`).not.toContain('\r');
    expect(`${stdout}${stderr}`).not.toContain('\x1b');
    expect(stderr).not.toMatch(BAR);
    expect(stderr).toMatch(new RegExp(`^Pool has 0 of ${PACKAGES} packages; fetching ${PACKAGES} \\(\\d+\\.\\d MiB\\)$`, 'm'));
    expect(stderr.split('\n')).toContainEqual(expect.stringMatching(new RegExp(`^Downloaded ${PACKAGES} packages \\(\\d+\\.\\d MiB\\)$`)));
  }, 120_000);

  // Last: it breaks the source.
  it('on a terminal: an error mid-download starts a line of its own, with no bar left over', async () => {
    await rm(rpms.at(-1) as string);
    const { code, output } = await ovirtRepoOnTerminal(['mirror', 'sync', 'el9', '--from', src, '--store', join(dir, 'failing-store')]);
    expect(code).toBe(1);
    expect(output).toMatch(new RegExp(`Downloading packages ${BAR.source} \\d+/${PACKAGES} `));
    const screen = terminalScreen(output).filter((l) => l !== '');
    expect(screen.some((l) => BAR.test(l))).toBe(false);
    expect(screen).toContainEqual(expect.stringMatching(/^Error \[E_[A-Z_]+\]: /));
  }, 120_000);
});
