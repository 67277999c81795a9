import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { checkRepo, dnf, makeRepo, rpmSpec } from './helpers/repos.js';

const exec = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const PACKED = { core: 'packages/core', cli: 'packages/cli', publisher: 'packages/publisher' };
const EXAMPLE = 'tools/example-target-plugin';
// Commands and topics of the plugins that are not installed: none may appear in help.
const FOREIGN = ['minirepo', 'mirror', 'snapshot', 'inject', 'lock', 'gc', 'serve', 'index'];

/** Command and topic names listed in the TOPICS and COMMANDS sections of oclif's root help. */
function listedNames(help: string): string[] {
  const names: string[] = [];
  let inList = false;
  for (const line of help.split('\n')) {
    if (/^[A-Z]+$/.test(line.trim()) && !line.startsWith(' ')) inList = line.trim() === 'TOPICS' || line.trim() === 'COMMANDS';
    else if (inList && /^ {2}\S/.test(line)) names.push(line.trim().split(/\s+/)[0]!);
  }
  return [...new Set(names)].sort();
}

async function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  try {
    const { stdout } = await exec(cmd, args, { cwd, env: { ...env, NO_COLOR: '1' }, maxBuffer: 32 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}

/** npm pack `dir` into `out`; returns the tarball path. */
async function pack(dir: string, out: string): Promise<string> {
  const json = JSON.parse(await sh('npm', ['pack', '--json', '--pack-destination', out], join(root, dir))) as Array<{ filename: string }>;
  return join(out, json[0]!.filename);
}

/** npm install tarballs offline (third-party packages from the cache the workspace install filled). */
async function install(project: string, tarballs: string[]): Promise<void> {
  const args = ['install', '--no-audit', '--no-fund', ...tarballs];
  try {
    await sh('npm', ['--offline', ...args], project);
  } catch (e) {
    process.stderr.write(`offline install failed, retrying with --prefer-offline: ${(e as Error).message.split('\n')[0]}\n`);
    await sh('npm', ['--prefer-offline', ...args], project);
  }
}

// Slow (builds, packs and installs): the last test of the plugin.
describeWithTools(['npm', 'createrepo_c', 'dnf', 'rpm'], 'publisher-only install from packed tarballs', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let project: string;
  let tarballs: Record<string, string>;
  const npx = (args: string[]) => sh('npx', ['--offline', '--no-install', 'ovirt-repo', ...args], project);

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir('ovirt-repo-install-'));
    // The packages must be built (the root `npm test` builds everything first). Building them here would
    // rewrite dist/ under the feet of the suites running in parallel, so this only checks. The example
    // plugin is built here: nothing else uses its dist/.
    for (const file of ['packages/core/dist/bundle/index.js', 'packages/cli/dist/bundle/index.js', 'packages/cli/oclif.manifest.json', 'packages/publisher/dist/bundle/index.js', 'packages/publisher/oclif.manifest.json']) {
      if (!existsSync(join(root, file))) throw new Error(`${file} is missing: build first (npx nx run-many -t build -p @ovirt-repo/cli @ovirt-repo/plugin-publisher)`);
    }
    await sh('npx', ['tsc', '-p', join(EXAMPLE, 'tsconfig.lib.json')], root);
    const out = join(dir, 'tarballs');
    await mkdir(out);
    tarballs = {};
    for (const [key, pkg] of Object.entries({ ...PACKED, example: EXAMPLE })) tarballs[key] = await pack(pkg, out);
    project = join(dir, 'project');
    await mkdir(project);
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'publisher-only', version: '1.0.0', private: true }, null, 2));
    await install(project, [tarballs.core!, tarballs.cli!, tarballs.publisher!]);
  }, 900_000);
  afterAll(() => cleanup?.());

  it('installs exactly core, cli and the publisher', async () => {
    expect((await readdir(join(project, 'node_modules', '@ovirt-repo'))).sort()).toEqual(['cli', 'core', 'plugin-publisher']);
  });

  it('npx ovirt-repo --help lists publish and no command of the plugins not installed', async () => {
    const names = listedNames(await npx(['--help']));
    expect(names).toContain('publish');
    expect(names.filter((n) => FOREIGN.includes(n))).toEqual([]);
    const publishHelp = await npx(['publish', '--help']);
    expect(publishHelp).toContain('--from-lock');
    expect(publishHelp).toContain('--keep-metadata-days');
    expect(publishHelp).toContain('EXAMPLES');
    for (const command of FOREIGN) await expect(npx([command, '--help'])).rejects.toThrow(/not found|command .* not found/i);
  });

  it('npx ovirt-repo publish works, and a packed target plugin adds its scheme', async () => {
    const source = await makeRepo(join(dir, 'source'), [rpmSpec('hello', '1.0')]);
    const dest = join(dir, 'published');
    const result = JSON.parse(await npx(['publish', '--json', '--from', source, '--to', dest])) as { changed: boolean; listed: { total: number } };
    expect(result).toMatchObject({ changed: true, listed: { total: 1 } });
    expect(await checkRepo(dest)).toEqual(['hello-1.0-1.noarch']);
    await expect(npx(['publish', '--from', source, '--to', 'example:///nowhere'])).rejects.toThrow(/E_UNKNOWN_SCHEME/);

    await install(project, [tarballs.example!]);
    expect(await npx(['publish', 'targets'])).toMatch(/^example\s/m);
    const viaPlugin = join(dir, 'via-plugin');
    const out = JSON.parse(await npx(['publish', '--json', '--from', source, '--to', `example://${viaPlugin}`])) as { destination: string };
    expect(out.destination).toBe(`example://${viaPlugin}`);
    expect(await checkRepo(viaPlugin)).toEqual(['hello-1.0-1.noarch']);
    expect(await dnf(join(dir, 'dnf')).install(pathToFileURL(viaPlugin).href, 'hello', 'hello')).toBe('hello-1.0-1.noarch');
  });
});
