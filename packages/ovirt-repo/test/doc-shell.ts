/** A shell-ish reading of a documented command line for docs.spec.ts: words, quotes, operators and synopses. */

/** Words that may stand before `ovirt-repo` in a simple command. */
const PREFIX_WORDS = new Set(['env', 'npx', 'exec', 'time', 'sudo', 'nohup', 'do', 'then', 'else', '!', '{', '-']);

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

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
