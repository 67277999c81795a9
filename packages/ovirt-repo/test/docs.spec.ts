// Keeps the user guide true: every `ovirt-repo ...` command line in README.md and docs/**/*.md must name a
// command the real CLI has, and use only flags that command has; every relative link must lead somewhere.
// The CLI is loaded the way bin/run.js loads it (the CLI package plus every installed @ovirt-repo/plugin-*),
// from the plugins' oclif manifests, so this needs `npm run build` first (npm test does that).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Config } from '@oclif/core';
import { cliPackageJson, cliRoot } from '@ovirt-repo/cli';
import { ErrorCodes } from '@ovirt-repo/core';
import { checkCommand, extractCommands, type CliCommand, type DocCommand } from './doc-commands.js';
import { headingAnchors, relativeLinks } from './doc-markdown.js';
import { commandsInLine, logicalLines } from './doc-shell.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** README.md and every page below docs/, as paths relative to the repository root. */
function docPages(): string[] {
  const pages = ['README.md'];
  const walk = (dir: string) => {
    for (const name of readdirSync(join(repoRoot, dir)).sort()) {
      const path = join(dir, name);
      if (statSync(join(repoRoot, path)).isDirectory()) walk(path);
      else if (name.endsWith('.md')) pages.push(path);
    }
  };
  walk('docs');
  return pages;
}

const read = (page: string) => readFileSync(join(repoRoot, page), 'utf8');

/** The commands of the full CLI, with their flags (inherited --json/--verbose included) and arguments. */
async function loadCli(): Promise<Map<string, CliCommand>> {
  const config = await Config.load({ root: cliRoot, pjson: cliPackageJson() as never });
  const commands = new Map<string, CliCommand>();
  for (const c of config.commands) {
    const flags = Object.entries(c.flags ?? {}).map(([name, f]) => {
      const flag = f as { char?: string; type: string; allowNo?: boolean; multiple?: boolean };
      return { name, char: flag.char, type: flag.type === 'boolean' ? ('boolean' as const) : ('option' as const), allowNo: flag.allowNo, multiple: flag.multiple };
    });
    commands.set(c.id, { id: c.id, strict: c.strict !== false, args: Object.keys(c.args ?? {}), flags });
  }
  return commands;
}

describe('docs: command lines', () => {
  let commands: Map<string, CliCommand>;
  let found: DocCommand[];

  beforeAll(async () => {
    commands = await loadCli();
    found = docPages().flatMap((page) => extractCommands(page, read(page), { inline: true }));
  });

  it('loads the full CLI with every feature plugin', () => {
    const expected = ['minirepo:create', 'minirepo:verify', 'mirror:sync', 'snapshot:list', 'gc', 'index:write', 'serve', 'inject', 'lock:verify', 'publish', 'config:show'];
    const missing = expected.filter((id) => !commands.has(id));
    if (missing.length) {
      throw new Error(`The CLI has no ${missing.join(', ')}: build the workspace first (npm run build writes each plugin's oclif.manifest.json)`);
    }
  });

  it('finds the command lines of every job page', () => {
    const pages = new Set(found.map((c) => c.file));
    for (const page of docPages().filter((p) => p.startsWith(join('docs', 'jobs')))) expect([...pages]).toContain(page);
    expect(found.filter((c) => c.where === 'block').length).toBeGreaterThan(50);
  });

  it('uses only commands and flags the CLI has', () => {
    const problems = found.flatMap((c) => checkCommand(c, commands).map((p) => `${c.file}:${c.line}: ${c.text}\n    -> ${p}`));
    if (problems.length) throw new Error(`${problems.length} wrong command line(s) in the docs:\n${problems.join('\n')}`);
  });
});

describe('docs: links', () => {
  it('every relative link leads to an existing file, and every #anchor to a heading', () => {
    const problems: string[] = [];
    const anchorsOf = new Map<string, Set<string>>();
    const anchors = (file: string) => {
      if (!anchorsOf.has(file)) anchorsOf.set(file, headingAnchors(readFileSync(file, 'utf8')));
      return anchorsOf.get(file)!;
    };
    for (const page of docPages()) {
      for (const { line, target } of relativeLinks(read(page))) {
        const [pathPart = '', fragment] = target.split('#', 2);
        const path = decodeURIComponent(pathPart.split('?')[0]!);
        const file = path === '' ? join(repoRoot, page) : resolve(join(repoRoot, dirname(page)), path);
        if (!existsSync(file)) {
          problems.push(`${page}:${line}: ${target} -> no such file ${relative(repoRoot, file)}`);
          continue;
        }
        if (fragment && file.endsWith('.md') && !anchors(file).has(fragment)) {
          problems.push(`${page}:${line}: ${target} -> ${relative(repoRoot, file)} has no heading #${fragment}`);
        }
      }
    }
    if (problems.length) throw new Error(`${problems.length} broken link(s) in the docs:\n${problems.join('\n')}`);
  });
});

describe('docs: error codes', () => {
  const codes = Object.values(ErrorCodes) as string[];

  it('troubleshooting.md has a section for every error code', () => {
    const anchors = headingAnchors(read(join('docs', 'troubleshooting.md')));
    const missing = codes.filter((code) => !anchors.has(code.toLowerCase()));
    if (missing.length) throw new Error(`docs/troubleshooting.md has no "## <code>" section for: ${missing.join(', ')}`);
  });

  it('the docs mention only error codes that exist', () => {
    const problems: string[] = [];
    for (const page of docPages()) {
      read(page)
        .split(/\r?\n/)
        .forEach((line, i) => {
          for (const m of line.matchAll(/\bE_[A-Z][A-Z_]*[A-Z]\b/g)) {
            if (!codes.includes(m[0])) problems.push(`${page}:${i + 1}: ${m[0]} is not an error code (packages/core/src/errors/codes.ts)`);
          }
        });
    }
    if (problems.length) throw new Error(problems.join('\n'));
  });
});

// The extraction rules on their own, so a change to them cannot silently stop checking the pages.
describe('docs: extracting command lines', () => {
  const words = (line: string) => commandsInLine(line).map((c) => c.words);

  it('takes commands after a prompt, variable assignments, npx and shell operators', () => {
    expect(words('$ ovirt-repo gc --dry-run')).toEqual([['gc', '--dry-run']]);
    expect(words('SOURCE_DATE_EPOCH=1 OTHER="a b" ovirt-repo minirepo create out')).toEqual([['minirepo', 'create', 'out']]);
    expect(words('npx ovirt-repo --help')).toEqual([['--help']]);
    expect(words('cd x && ovirt-repo gc || echo failed >&2')).toEqual([['gc']]);
    expect(words('for r in a b; do ovirt-repo mirror sync "$r" --from x; done')).toEqual([['mirror', 'sync', '$r', '--from', 'x']]);
    expect(words('echo ovirt-repo gc --nope')).toEqual([]);
  });

  it('stops at pipes, redirections and comments, and looks inside $(...)', () => {
    expect(words('ovirt-repo config show --json | jq .config > out.json 2>&1 # note')).toEqual([['config', 'show', '--json']]);
    expect(words('ovirt-repo config show > /dev/null')).toEqual([['config', 'show']]);
    expect(words('ID=$(ovirt-repo snapshot list r --json | jq -r .x)')).toEqual([['snapshot', 'list', 'r', '--json']]);
  });

  it('keeps quoted words whole and reads placeholders as words', () => {
    expect(words(`ovirt-repo snapshot pin r 1 --reason "4.5.3 GA" --json`)).toEqual([['snapshot', 'pin', 'r', '1', '--reason', '4.5.3 GA', '--json']]);
    expect(words("ovirt-repo mirror sync experimental-<release>-<distro> --from <build's mini repo URL>")).toEqual([
      ['mirror', 'sync', 'experimental-PLACEHOLDER_release-PLACEHOLDER_distro', '--from', 'PLACEHOLDER_build_s_mini_repo_URL'],
    ]);
  });

  it('joins continuation lines and reports the first line', () => {
    expect(logicalLines(['ovirt-repo inject a.repo \\', '  --lock-out l.json', 'next'], 10)).toEqual([
      { line: 10, text: 'ovirt-repo inject a.repo --lock-out l.json' },
      { line: 12, text: 'next' },
    ]);
  });

  it('reads usage synopses ([optional], a|b, --[no-]flag) for their flags', () => {
    const [c] = commandsInLine('ovirt-repo snapshot show REPO [ID|latest] [--packages]   # comment');
    expect(c).toMatchObject({ kind: 'synopsis', words: ['snapshot', 'show', 'REPO', 'ID', 'latest', '--packages'] });
    expect(commandsInLine('ovirt-repo mirror sync R [--[no-]newest-only]')[0]!.words).toEqual(['mirror', 'sync', 'R', '--newest-only', '--no-newest-only']);
  });

  it('finds commands in code blocks (not in json blocks) and in inline code', () => {
    const page = ['# T', 'Run `ovirt-repo gc --keep 3` nightly.', '```sh', '$ ovirt-repo gc \\', '    --dry-run', '```', '```json', 'ovirt-repo gc --x', '```'].join('\n');
    expect(extractCommands('p.md', page, { inline: true }).map((c) => [c.line, c.words, c.where])).toEqual([
      [4, ['gc', '--dry-run'], 'block'],
      [2, ['gc', '--keep', '3'], 'inline'],
    ]);
  });

  it('reports unknown commands, unknown flags, missing values, extra arguments and greedy multiple flags', () => {
    const cli = new Map<string, CliCommand>([
      ['gc', { id: 'gc', strict: false, args: ['repos'], flags: [{ name: 'keep', type: 'option' }, { name: 'json', type: 'boolean' }] }],
      ['mirror:sync', { id: 'mirror:sync', strict: true, args: ['repo'], flags: [{ name: 'from', type: 'option', multiple: true }, { name: 'newest-only', type: 'boolean', allowNo: true }, { name: 'verbose', type: 'boolean', char: 'v' }] }],
    ]);
    const check = (line: string) => commandsInLine(line).flatMap((c) => checkCommand({ ...c, file: 'p.md', line: 1, where: 'block' }, cli));
    expect(check('ovirt-repo gc --keep 3 --json a b')).toEqual([]);
    expect(check('ovirt-repo mirror sync r --from=x --no-newest-only -v --help')).toEqual([]);
    expect(check('ovirt-repo gc --kep 3')).toEqual(['unknown flag --kep for "gc" (did you mean --keep?)']);
    expect(check('ovirt-repo gcc')[0]).toMatch(/unknown command "gcc" \(did you mean gc\?\)/);
    expect(check('ovirt-repo mirror list')[0]).toMatch(/"mirror list" is no command; topic "mirror" has: mirror sync/);
    expect(check('ovirt-repo mirror --help')).toEqual([]);
    expect(check('ovirt-repo gc --keep')).toEqual(['flag --keep of "gc" needs a value']);
    expect(check('ovirt-repo <command> --help --json')).toEqual([]);
    expect(check('ovirt-repo <command> --keep 3')).toEqual(['--keep is not a flag of every command (PLACEHOLDER_command stands for any command)']);
    expect(check('ovirt-repo mirror sync r s')).toEqual(['"mirror sync" takes at most 1 argument (repo), got 2']);
    expect(check('ovirt-repo mirror sync --from x r')[0]).toMatch(/takes every following word as a value \(x r\)/);
    expect(check('ovirt-repo mirror sync R [--from SOURCE ...] [--nope]')).toEqual(['unknown flag --nope for "mirror sync"']);
  });

  it('finds relative links and heading anchors as GitHub renders them', () => {
    const page = ['## `gc` and retention', 'See [x](a.md#b), [`y`](../c/), <https://e.org>, [z](https://e.org) and `[n](no.md)`.', '[ref]: ./d.md', '```', '[in](code.md)', '```'].join('\n');
    expect(relativeLinks(page).map((l) => l.target)).toEqual(['a.md#b', '../c/', './d.md']);
    expect([...headingAnchors(page)]).toEqual(['gc-and-retention']);
  });
});
