/**
 * Pure helpers for docs.spec.ts: find the `ovirt-repo ...` command lines of markdown pages, check them
 * against the CLI's commands and flags, and check the pages' relative links. No I/O here except what the
 * caller passes in, so the rules can be unit-tested on small strings.
 */
import { inlineCodeSpans, splitMarkdown } from './doc-markdown.js';
import { commandsInLine, logicalLines } from './doc-shell.js';

/** One command line found in a page. */
export interface DocCommand {
  file: string;
  /** 1-based line of the command's first line in the page. */
  line: number;
  /** The command as written, continuation lines joined, from `ovirt-repo` to the end of the command. */
  text: string;
  /**
   * `shell`: a command to copy, parsed as a shell would (quotes, pipes, redirections).
   * `synopsis`: a usage line with `[optional]` parts and `a|b` alternatives; only its flags are checked.
   */
  kind: 'shell' | 'synopsis';
  /** The words after `ovirt-repo`, quotes removed (shell), or the synopsis words. */
  words: string[];
  /** Where it was found: a fenced code block or an inline code span. */
  where: 'block' | 'inline';
}

/** What the checker needs to know about a command: oclif's cached command, reduced. */
export interface CliFlag {
  name: string;
  char?: string;
  type: 'boolean' | 'option';
  allowNo?: boolean;
  multiple?: boolean;
}

export interface CliCommand {
  id: string;
  strict: boolean;
  args: string[];
  flags: CliFlag[];
}

/** Code block languages that hold no shell commands (their text may still mention ovirt-repo). */
const NON_SHELL_LANGUAGES = new Set([
  'json',
  'jsonc',
  'json5',
  'ini',
  'nginx',
  'apache',
  'mermaid',
  'python',
  'py',
  'xml',
  'html',
  'css',
  'ts',
  'typescript',
  'js',
  'javascript',
  'diff',
  'toml',
]);

/** Every `ovirt-repo` command of a page: in fenced code blocks, and (optionally) in inline code spans. */
export function extractCommands(file: string, text: string, options: { inline?: boolean } = {}): DocCommand[] {
  const { blocks, prose } = splitMarkdown(text);
  const out: DocCommand[] = [];
  for (const block of blocks) {
    if (NON_SHELL_LANGUAGES.has(block.lang)) continue;
    for (const l of logicalLines(block.lines, block.firstLine)) {
      if (!l.text.includes('ovirt-repo')) continue;
      for (const c of commandsInLine(l.text)) out.push({ file, line: l.line, ...c, where: 'block' });
    }
  }
  if (options.inline) {
    for (const p of prose) {
      for (const span of inlineCodeSpans(p.text)) {
        if (!/^(\$\s+)?([A-Z_][A-Z0-9_]*=\S*\s+)*(npx\s+)?ovirt-repo(\s|$)/.test(span)) continue;
        for (const c of commandsInLine(span)) out.push({ file, line: p.line, ...c, where: 'inline' });
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Checking against the CLI

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

function suggest(wanted: string, known: string[]): string {
  const best = known.map((k) => ({ k, d: distance(wanted, k) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= Math.max(2, Math.floor(wanted.length / 3)) ? ` (did you mean ${best.k}?)` : '';
}

/** Resolve the command id from the leading words (longest match, as oclif with a space separator does). */
export function resolveCommand(words: string[], commands: Map<string, CliCommand>): { command?: CliCommand; used: number } {
  const leading: string[] = [];
  for (const w of words) {
    if (w.startsWith('-')) break;
    leading.push(w);
  }
  for (let k = leading.length; k > 0; k--) {
    const command = commands.get(leading.slice(0, k).join(':'));
    if (command) return { command, used: k };
  }
  return { used: 0 };
}

/** Problems of one command line; empty when the command and every flag exist. */
export function checkCommand(cmd: DocCommand, commands: Map<string, CliCommand>): string[] {
  const problems: string[] = [];
  const { command, used } = resolveCommand(cmd.words, commands);
  const ids = [...commands.keys()];
  const flagsGiven = cmd.words.filter((w) => w.startsWith('-') && w !== '-' && w !== '--');

  if (!command) {
    const first = cmd.words.find((w) => !w.startsWith('-'));
    if (first?.startsWith('PLACEHOLDER_')) {
      // `ovirt-repo <command> --help`: any command; only the flags every command has can be checked.
      const everywhere = ['--help', '--json', '--verbose', '-v'];
      for (const f of flagsGiven) if (!everywhere.includes(f)) problems.push(`${f} is not a flag of every command (${first} stands for any command)`);
      return problems;
    }
    const helpOnly = flagsGiven.every((f) => f === '--help' || f === '--version');
    if (first === undefined) {
      if (!helpOnly) problems.push(`only --help and --version work without a command, got ${flagsGiven.join(' ')}`);
      return problems;
    }
    const topic = cmd.words.filter((w) => !w.startsWith('-')).slice(0, 2);
    const underTopic = ids.filter((id) => id.startsWith(`${topic[0]}:`));
    if (underTopic.length > 0) {
      // `ovirt-repo snapshot --help` is topic help; in prose, `ovirt-repo snapshot` names the topic.
      if (flagsGiven.includes('--help')) return problems;
      if (cmd.where === 'inline' && flagsGiven.length === 0 && cmd.words.length === 1) return problems;
      problems.push(`"${topic.join(' ')}" is no command; topic "${topic[0]}" has: ${underTopic.map((id) => id.replace(/:/g, ' ')).join(', ')}`);
    } else {
      problems.push(`unknown command "${first}"${suggest(first, ids.map((id) => id.replace(/:/g, ' ')))}`);
    }
    return problems;
  }

  const byName = new Map(command.flags.map((f) => [f.name, f]));
  const byChar = new Map(command.flags.filter((f) => f.char).map((f) => [f.char!, f]));
  const spellings = [...command.flags.flatMap((f) => [`--${f.name}`, ...(f.allowNo ? [`--no-${f.name}`] : []), ...(f.char ? [`-${f.char}`] : [])]), '--help'];
  const name = command.id.replace(/:/g, ' ');

  const rest = cmd.words.slice(used);
  let positional = 0;
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!;
    if (w === '--') {
      positional += rest.length - i - 1;
      break;
    }
    if (w.startsWith('-') && w !== '-') {
      const eq = w.indexOf('=');
      const spelled = eq > 0 ? w.slice(0, eq) : w;
      if (spelled === '--help') continue;
      let flag: CliFlag | undefined;
      if (spelled.startsWith('--')) {
        const n = spelled.slice(2);
        flag = byName.get(n);
        if (!flag && n.startsWith('no-')) {
          const positive = byName.get(n.slice(3));
          if (positive?.allowNo) flag = positive;
        }
      } else if (spelled.length === 2) {
        flag = byChar.get(spelled.slice(1));
      }
      if (!flag) {
        problems.push(`unknown flag ${spelled} for "${name}"${suggest(spelled, spellings)}`);
        continue;
      }
      if (cmd.kind === 'synopsis' || flag.type !== 'option' || eq > 0) continue;
      // An option flag takes the next word; a `multiple` one takes every following word up to the next flag.
      let taken = 0;
      while (i + 1 < rest.length && !(rest[i + 1]!.startsWith('-') && rest[i + 1] !== '-') && (taken === 0 || flag.multiple)) {
        i++;
        taken++;
      }
      // Prose may name a flag without its value ("`ovirt-repo publish --from-lock`"); a command to copy may not.
      if (taken === 0 && cmd.where === 'block') problems.push(`flag ${spelled} of "${name}" needs a value`);
      if (taken > 1) {
        problems.push(
          `flag ${spelled} of "${name}" takes every following word as a value (${rest.slice(i - taken + 1, i + 1).join(' ')}); put arguments before the flags or repeat the flag`,
        );
      }
      continue;
    }
    positional++;
  }
  if (cmd.kind === 'shell' && command.strict && positional > command.args.length) {
    problems.push(`"${name}" takes at most ${command.args.length} argument${command.args.length === 1 ? '' : 's'} (${command.args.join(', ') || 'none'}), got ${positional}`);
  }
  return problems;
}
