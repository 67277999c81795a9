import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { FEATURE_COMMANDS } from '../src/hooks/command-not-found.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'run.js');
// Without colours (CI forces them with FORCE_COLOR; NO_COLOR beside it would make Node print a warning).
const { FORCE_COLOR: _forced, ...inherited } = process.env;
const run = (args: string[]) => promisify(execFile)(process.execPath, [bin, ...args], { env: { ...inherited, NO_COLOR: '1' } });

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

  it('plugins lists the feature plugins that give the commands', async () => {
    const { stdout } = await run(['plugins']);
    for (const name of ['minirepo', 'mirror', 'ost', 'publisher']) expect(stdout).toMatch(new RegExp(`^@ovirt-repo/plugin-${name} \\d+\\.\\d+\\.\\d+`, 'm'));
    expect(stdout).not.toContain('No plugins installed');
  });

  it("knows which feature plugin gives each command, for hosts that lack one (their manifests agree)", () => {
    for (const [plugin, words] of Object.entries(FEATURE_COMMANDS)) {
      const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', plugin.replace('@ovirt-repo/plugin-', ''));
      const manifest = JSON.parse(readFileSync(join(dir, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, unknown> };
      const firstWords = [...new Set(Object.keys(manifest.commands).map((id) => id.split(':')[0]))].sort();
      expect([plugin, firstWords]).toEqual([plugin, words]);
    }
  });

  it('has help descriptions that only the terminal wraps: a line break starts a paragraph or a "-" item', () => {
    for (const plugin of ['cli', 'minirepo', 'mirror', 'ost', 'publisher']) {
      const manifest = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', plugin, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, { description?: string }> };
      for (const [id, command] of Object.entries(manifest.commands)) {
        const broken = (command.description ?? '').split('\n\n').flatMap((paragraph) => paragraph.split('\n').slice(1)).filter((line) => !line.startsWith('-'));
        expect([id, broken]).toEqual([id, []]);
      }
    }
  });

  it('prints the version', async () => {
    const { stdout } = await run(['--version']);
    expect(stdout).toMatch(/^@ovirt-repo\/cli\/\d+\.\d+\.\d+ linux-/);
  });

  /** stderr, stdout and exit code of a run that fails. */
  const failure = (args: string[]) => run(args).then(
    () => {
      throw new Error(`${args.join(' ')} succeeded`);
    },
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

  it('an unknown command: one line with a "did you mean", a pointer to --help, exit 2 (JSON with --json)', async () => {
    const typo = await failure(['mirror', 'synk', 'el9']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe('Error [E_USAGE]: "mirror synk" is not an ovirt-repo command (did you mean "mirror sync"?)\nHint: ovirt-repo mirror --help lists its commands\n');
    expect((await failure(['sync', 'el9'])).stderr).toContain('(did you mean "mirror sync"?)');
    const unknown = await failure(['no-such-command', '--json']);
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stdout)).toEqual({ error: { code: 'E_USAGE', message: '"no-such-command" is not an ovirt-repo command', hint: 'ovirt-repo --help lists the commands' } });
  });

  it('a mistyped flag or value: at most 3 lines, never the whole help, exit 2', async () => {
    const flag = await failure(['minirepo', 'create', '.', '--worker', '2']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe('Error [E_USAGE]: minirepo create: unknown flag --worker (did you mean --workers?)\nHint: ovirt-repo minirepo create --help lists its flags and arguments\n');
    expect(flag.stdout).toBe('');
    const value = await failure(['minirepo', 'create', '.', '--compress', 'xzz', '--json']);
    expect(value.code).toBe(2);
    expect(JSON.parse(value.stdout).error).toEqual({ code: 'E_USAGE', message: 'minirepo create: --compress=xzz is not one of gz, xz, zstd (did you mean "xz"?)', hint: 'ovirt-repo minirepo create --help lists its flags and arguments' });
    // A value a flag's own parser refuses is a usage error too (oclif wraps it as "Parsing --workers").
    const range = await failure(['minirepo', 'create', '.', '--workers', '0']);
    expect(range.code).toBe(2);
    expect(range.stderr).toBe('Error [E_USAGE]: minirepo create: --workers must be a whole number from 1 to 256, got "0"\nHint: ovirt-repo minirepo create --help lists its flags and arguments\n');
    // oclif's notes about flags that take several values are left out.
    expect((await failure(['inject'])).stderr).toBe('Error [E_USAGE]: inject: Missing 1 required arg: file  Config file or quoted glob (more may follow).\nHint: ovirt-repo inject --help lists its flags and arguments\n');
    const extra = await failure(['minirepo', 'verify', 'a', 'b', 'c']);
    expect(extra.code).toBe(2);
    expect(extra.stderr.split('\n').filter(Boolean).length).toBeLessThanOrEqual(3);
    expect(extra.stderr).toMatch(/^Error \[E_USAGE\]: minirepo verify: Unexpected arguments?: /);
    // Flags that exclude each other: one line naming the pair once, not oclif's line per flag with its value.
    expect((await failure(['publish', '--from', 'a', '--from-lock', 'b'])).stderr).toBe('Error [E_USAGE]: publish: --from and --from-lock cannot be used together\nHint: ovirt-repo publish --help lists its flags and arguments\n');
  });
});
