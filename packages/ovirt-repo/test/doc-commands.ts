/**
 * Pure helpers for docs.spec.ts: find the `ovirt-repo ...` command lines of markdown pages, check them
 * against the CLI's commands and flags, and check the pages' relative links. No I/O here except what the
 * caller passes in, so the rules can be unit-tested on small strings.
 */

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

/** Words that may stand before `ovirt-repo` in a simple command. */
const PREFIX_WORDS = new Set(['env', 'npx', 'exec', 'time', 'sudo', 'nohup', 'do', 'then', 'else', '!', '{', '-']);

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

// ---------------------------------------------------------------------------------------------------------
// Markdown structure

export interface CodeBlock {
  /** Info string's first word, lower case ('' when none). */
  lang: string;
  /** 1-based line of the first content line. */
  firstLine: number;
  lines: string[];
}

export interface MarkdownParts {
  blocks: CodeBlock[];
  /** Lines outside fenced code blocks, with their 1-based numbers (prose, tables, headings). */
  prose: { line: number; text: string }[];
}

/** Split a page into fenced code blocks and the rest (CommonMark fences: ``` or ~~~, 3 or more). */
export function splitMarkdown(text: string): MarkdownParts {
  const lines = text.split(/\r?\n/);
  const blocks: CodeBlock[] = [];
  const prose: { line: number; text: string }[] = [];
  let open: { char: string; len: number; block: CodeBlock } | undefined;
  lines.forEach((line, i) => {
    const fence = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)?.*$/.exec(line);
    if (open) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
      if (close && close[1]![0] === open.char && close[1]!.length >= open.len) {
        blocks.push(open.block);
        open = undefined;
      } else {
        open.block.lines.push(line);
      }
      return;
    }
    if (fence) {
      const marker = fence[1]!;
      open = { char: marker[0]!, len: marker.length, block: { lang: (fence[2] ?? '').toLowerCase(), firstLine: i + 2, lines: [] } };
      return;
    }
    prose.push({ line: i + 1, text: line });
  });
  if (open) blocks.push(open.block); // unclosed fence: CommonMark runs it to the end of the page
  return { blocks, prose };
}

/** Inline code spans of one prose line (backtick strings of equal length). */
export function inlineCodeSpans(line: string): string[] {
  const spans: string[] = [];
  const re = /(`+)([\s\S]*?[^`])\1(?!`)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) spans.push(m[2]!.trim());
  return spans;
}

// ---------------------------------------------------------------------------------------------------------
// Shell-ish tokenizer

interface Token {
  kind: 'word' | 'op';
  value: string;
  start: number;
}

interface Tokenized {
  tokens: Token[];
  /** Bodies of `$(...)` and backtick substitutions, to be scanned as commands too. */
  substitutions: string[];
}

/** Replace `<placeholder text>` with a plain word, so an apostrophe in it is no quote. */
export function replacePlaceholders(line: string): string {
  return line.replace(/(?<![<\w])<([A-Za-z][^<>\n]*)>/g, (_m, inner: string) => `PLACEHOLDER_${inner.replace(/[^A-Za-z0-9]+/g, '_')}`);
}

/**
 * Tokenize one logical line the way sh would split it into words and operators: quotes ('...', "..."),
 * backslash escapes, $(...), `...` and ${...}, comments, and the operators | || && ; & ( ) and redirections.
 */
export function tokenize(line: string): Tokenized {
  const tokens: Token[] = [];
  const substitutions: string[] = [];
  let i = 0;
  const n = line.length;

  const readBalanced = (from: number): number => {
    // `from` is just after "$("; returns the index just after the matching ")".
    let depth = 1;
    let j = from;
    while (j < n && depth > 0) {
      const c = line[j]!;
      if (c === '\\') j += 2;
      else if (c === "'") {
        const end = line.indexOf("'", j + 1);
        j = end < 0 ? n : end + 1;
      } else if (c === '"') {
        j++;
        while (j < n && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
        j++;
      } else {
        if (c === '(') depth++;
        else if (c === ')') depth--;
        j++;
      }
    }
    return j;
  };

  while (i < n) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '#') break; // a comment: `#` at the start of a word
    const two = line.slice(i, i + 2);
    if (['&&', '||', '|&', ';;', '>>', '>&', '<<', '&>'].includes(two)) {
      tokens.push({ kind: 'op', value: two, start: i });
      i += 2;
      continue;
    }
    if ('|;&()<>'.includes(c)) {
      tokens.push({ kind: 'op', value: c, start: i });
      i++;
      continue;
    }
    // A word.
    const start = i;
    let value = '';
    while (i < n) {
      const ch = line[i]!;
      if (ch === ' ' || ch === '\t') break;
      if ('|;&()<>'.includes(ch)) {
        if ((ch === '>' || ch === '<') && /^\d+$/.test(value) && i > start) {
          // "2>" and friends: the digits belong to the redirection.
          value = '';
          tokens.push({ kind: 'op', value: `${line.slice(start, i)}${ch}`, start });
          i++;
          if (line[i] === '&' || line[i] === '>') i++;
        }
        break;
      }
      if (ch === '\\') {
        value += line[i + 1] ?? '';
        i += 2;
      } else if (ch === "'") {
        const end = line.indexOf("'", i + 1);
        value += line.slice(i + 1, end < 0 ? n : end);
        i = end < 0 ? n : end + 1;
      } else if (ch === '"') {
        i++;
        while (i < n && line[i] !== '"') {
          if (line[i] === '\\' && i + 1 < n) {
            value += line[i + 1];
            i += 2;
          } else if (line.startsWith('$(', i)) {
            const end = readBalanced(i + 2);
            substitutions.push(line.slice(i + 2, end - 1));
            value += line.slice(i, end);
            i = end;
          } else {
            value += line[i];
            i++;
          }
        }
        i++;
      } else if (line.startsWith('$(', i)) {
        const end = readBalanced(i + 2);
        substitutions.push(line.slice(i + 2, end - 1));
        value += line.slice(i, end);
        i = end;
      } else if (line.startsWith('${', i)) {
        const end = line.indexOf('}', i);
        value += line.slice(i, end < 0 ? n : end + 1);
        i = end < 0 ? n : end + 1;
      } else if (ch === '`') {
        const end = line.indexOf('`', i + 1);
        substitutions.push(line.slice(i + 1, end < 0 ? n : end));
        value += line.slice(i, end < 0 ? n : end + 1);
        i = end < 0 ? n : end + 1;
      } else {
        value += ch;
        i++;
      }
    }
    // An empty value is a word only when it was written as '' or "" (not after a "2>" redirection).
    if (i > start && (value !== '' || /^(''|"")$/.test(line.slice(start, i)))) tokens.push({ kind: 'word', value, start });
  }
  return { tokens, substitutions };
}

/** True when `text` has a `[` outside quotes: a usage synopsis, not a command to run. */
function looksLikeSynopsis(text: string): boolean {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"') i++;
    } else if (c === '\\') i++;
    else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) return false;
    else if (c === '[') return true;
  }
  return false;
}

/** Words of a synopsis: optional brackets, alternatives and ellipses dropped, `--[no-]x` as both spellings. */
function synopsisWords(text: string): string[] {
  const noComment = text.replace(/(^|\s)#.*$/, '');
  return noComment
    .replace(/--\[no-\]([\w-]+)/g, '--$1 --no-$1')
    .replace(/\\\|/g, ' ')
    .replace(/[[\]{}|]/g, ' ')
    .replace(/\.\.\.|…/g, ' ')
    .split(/\s+/)
    .map((w) => w.replace(/^['"]|['"]$/g, ''))
    .filter((w) => w !== '');
}

const REDIRECT = /^(\d*)(>>?|<<?|>&|&>)$/;

/**
 * The `ovirt-repo` commands in one logical line (continuations already joined). A command starts a simple
 * command of the line (at its start, or after | || && ; & ( or `do`/`then`), possibly after a `$ ` prompt,
 * variable assignments (`SOURCE_DATE_EPOCH=1 ovirt-repo ...`) or `npx`/`env`/`sudo`; commands inside $(...)
 * are found too.
 */
export function commandsInLine(rawLine: string): { text: string; kind: 'shell' | 'synopsis'; words: string[] }[] {
  let line = replacePlaceholders(rawLine).replace(/^\s*\$\s+/, '');
  line = line.trimStart();
  const found: { text: string; kind: 'shell' | 'synopsis'; words: string[] }[] = [];
  const { tokens, substitutions } = tokenize(line);

  let atCommandStart = true;
  let skipNextWord = false;
  for (let t = 0; t < tokens.length; t++) {
    const tok = tokens[t]!;
    if (tok.kind === 'op') {
      if (REDIRECT.test(tok.value)) {
        skipNextWord = true;
        continue;
      }
      atCommandStart = true;
      continue;
    }
    if (skipNextWord) {
      skipNextWord = false;
      continue;
    }
    if (!atCommandStart) continue;
    if (tok.value !== 'ovirt-repo') {
      if (!(ASSIGNMENT.test(tok.value) || PREFIX_WORDS.has(tok.value))) atCommandStart = false;
      continue;
    }
    // `ovirt-repo` starts a command here.
    const rest = line.slice(tok.start);
    if (looksLikeSynopsis(rest)) {
      found.push({ text: rest.replace(/(^|\s)#.*$/, '').trimEnd(), kind: 'synopsis', words: synopsisWords(rest).slice(1) });
      break; // a synopsis runs to the end of the line
    }
    const words: string[] = [];
    let end = line.length;
    let u = t + 1;
    for (; u < tokens.length; u++) {
      const w = tokens[u]!;
      if (w.kind === 'op') {
        if (REDIRECT.test(w.value)) {
          u++; // and its target
          continue;
        }
        end = w.start;
        break;
      }
      words.push(w.value);
    }
    found.push({ text: line.slice(tok.start, end).replace(/\s+#.*$/, '').trimEnd(), kind: 'shell', words });
    t = u - 1;
    atCommandStart = false;
  }
  for (const body of substitutions) found.push(...commandsInLine(body));
  return found;
}

/** Join shell continuation lines (a line ending in an unescaped backslash) and keep each start line. */
export function logicalLines(lines: string[], firstLine: number): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let current: { line: number; text: string } | undefined;
  lines.forEach((raw, i) => {
    const continued = /(^|[^\\])(\\\\)*\\$/.test(raw);
    const part = continued ? raw.slice(0, -1) : raw;
    if (current) current.text = `${current.text.trimEnd()} ${part.trim()}`;
    else current = { line: firstLine + i, text: part };
    if (!continued) {
      out.push(current);
      current = undefined;
    }
  });
  if (current) out.push(current);
  return out;
}

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

// ---------------------------------------------------------------------------------------------------------
// Links

export interface DocLink {
  line: number;
  target: string;
}

/** Relative links of a page: [text](target), ![alt](target), [id]: target, href="..." and src="...". */
export function relativeLinks(text: string): DocLink[] {
  const { prose } = splitMarkdown(text);
  const links: DocLink[] = [];
  for (const { line, text: raw } of prose) {
    // Inline code is no link; blank it out but keep the brackets around it.
    const l = raw.replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, (m) => 'x'.repeat(m.length));
    const targets: string[] = [];
    for (const m of l.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g)) targets.push(m[1]!);
    const def = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(l);
    if (def) targets.push(def[1]!);
    for (const m of l.matchAll(/\b(?:href|src)="([^"]+)"/g)) targets.push(m[1]!);
    for (const target of targets) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue;
      links.push({ line, target });
    }
  }
  return links;
}

/** GitHub's anchors for the headings of a page (github-slugger rules, duplicates numbered). */
export function headingAnchors(text: string): Set<string> {
  const { prose } = splitMarkdown(text);
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const { text: l } of prose) {
    const h = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(l);
    const explicit = [...l.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)].map((m) => m[1]!);
    explicit.forEach((a) => anchors.add(a));
    if (!h) continue;
    const plain = h[1]!
      .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(plain) ?? 0;
    seen.set(plain, count + 1);
    anchors.add(count === 0 ? plain : `${plain}-${count}`);
  }
  return anchors;
}
