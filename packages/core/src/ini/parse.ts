import { ErrorCodes, OvirtRepoError } from '../errors/index.js';

/** One physical line, with its terminator kept so untouched lines are written back byte for byte. */
export interface IniLine {
  /** The line without its terminator. */
  text: string;
  /** `\n`, `\r\n`, or '' for a last line without one. */
  eol: string;
}

export interface IniOption {
  /** The name as written. */
  key: string;
  /** The name as Python's RawConfigParser sees it (lower case), used for every lookup. */
  name: string;
  /** The value with continuation lines joined by `\n`, trimmed (RawConfigParser's value). */
  value: string;
  /** Index of the `key = value` line. */
  line: number;
  /** Index of the last line of the value (the last continuation line, or `line`). */
  end: number;
}

export interface IniSection {
  name: string;
  /** Index of the `[name]` line. */
  header: number;
  /** Index just past the section: the next header, or the number of lines. */
  end: number;
  options: IniOption[];
}

export interface IniDocument {
  /** Where the text came from, for messages. */
  source: string;
  lines: IniLine[];
  sections: IniSection[];
  /** The terminator new lines get: the file's first one, `\n` if it has none. */
  eol: string;
}

/**
 * Parse a yum/dnf .repo or reposync config the way Python's RawConfigParser (strict, as mirror_client
 * and reposync tools read it) does, while remembering where every section and option is, so a caller can
 * change a few options and write everything else back unchanged:
 * - comments are lines whose first non-blank character is `#` or `;` (also inside multi-line values);
 * - a line indented deeper than its option's line continues the value (multi-line includepkgs/exclude),
 *   even after blank lines or comments;
 * - `key = value` and `key: value`, split at the first `=` or `:`; names are compared in lower case;
 * - an option before any section, a line that is none of the above, a repeated section or a repeated
 *   option in one section are errors naming the line and the key;
 * - so is a carriage return outside a CRLF line ending: Python ends the line there, dnf keeps it in the
 *   line, so the two would read different options (`baseurl=x<CR>gpgcheck=0`).
 */
export function parseIni(text: string, source: string): IniDocument {
  const lines = splitLines(text, source);
  const sections: IniSection[] = [];
  const seenSections = new Map<string, number>();
  let section: IniSection | undefined;
  let seenOptions = new Map<string, number>();
  let option: IniOption | undefined;
  let optionIndent = 0;

  for (const [i, line] of lines.entries()) {
    // A byte order mark belongs to the file, not to the first line's syntax.
    const text = i === 0 ? line.text.replace(/^\uFEFF/, '') : line.text;
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const indent = text.length - text.trimStart().length;
    if (option && indent > optionIndent) {
      option.value = `${option.value}\n${trimmed}`;
      option.end = i;
      continue;
    }
    option = undefined;
    if (trimmed.startsWith('[') && trimmed.lastIndexOf(']') > 1) {
      const name = trimmed.slice(1, trimmed.lastIndexOf(']'));
      const previous = seenSections.get(name);
      if (previous !== undefined) {
        throw iniError(source, i, `section [${name}] appears twice (first on line ${previous + 1})`, name, 'merge the two sections into one');
      }
      if (section) section.end = i;
      section = { name, header: i, end: lines.length, options: [] };
      sections.push(section);
      seenSections.set(name, i);
      seenOptions = new Map();
      continue;
    }
    const delimiter = text.search(/[=:]/);
    if (delimiter < 0 || text.slice(0, delimiter).trim() === '') {
      throw iniError(source, i, `cannot parse "${trimmed}": expected "key = value", a [section] header, a comment or a blank line`, undefined,
        'fix the line; continuation lines of a multi-line value must be indented');
    }
    const key = text.slice(0, delimiter).trim();
    if (!section) {
      throw iniError(source, i, `option "${key}" appears before any [section] header`, key, 'put it under a section such as [main]');
    }
    const name = key.toLowerCase();
    const previous = seenOptions.get(name);
    if (previous !== undefined) {
      throw iniError(source, i, `option "${key}" appears twice in section [${section.name}] (first on line ${previous + 1})`, key,
        'keep one of them; a multi-line value continues on indented lines');
    }
    seenOptions.set(name, i);
    option = { key, name, value: text.slice(delimiter + 1).trim(), line: i, end: i };
    optionIndent = indent;
    section.options.push(option);
  }
  const eol = lines.find((l) => l.eol !== '')?.eol ?? '\n';
  return { source, lines, sections, eol };
}

/** The option named `name` (any case) in `section`. */
export function findOption(section: IniSection, name: string): IniOption | undefined {
  const lower = name.toLowerCase();
  return section.options.find((o) => o.name === lower);
}

/**
 * RawConfigParser.getboolean: 1/yes/true/on and 0/no/false/off in any case; anything else is an error
 * naming the line, so a typo never silently flips a switch.
 */
export function optionBoolean(doc: IniDocument, section: IniSection, name: string): boolean | undefined {
  const option = findOption(section, name);
  if (!option) return undefined;
  const value = booleanValue(option.value);
  if (value !== undefined) return value;
  throw iniError(doc.source, option.line, `option "${option.key}" in section [${section.name}] must be a boolean, got "${option.value}"`,
    option.key, 'use True or False (also accepted: 1/0, yes/no, on/off)');
}

/** A boolean as RawConfigParser and dnf read it (1/yes/true/on, 0/no/false/off, any case); undefined otherwise. */
export function booleanValue(value: string): boolean | undefined {
  const v = value.toLowerCase();
  if (['1', 'yes', 'true', 'on'].includes(v)) return true;
  if (['0', 'no', 'false', 'off'].includes(v)) return false;
  return undefined;
}

function splitLines(text: string, source: string): IniLine[] {
  const lines: IniLine[] = [];
  const re = /\r?\n|\r/g;
  let start = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0] === '\r') {
      throw iniError(source, lines.length, "a carriage return (CR) without a line feed: Python's configparser ends the line there, dnf does not",
        undefined, 'end lines with LF or CRLF only (for a file with CR line endings: tr "\\r" "\\n")');
    }
    lines.push({ text: text.slice(start, m.index), eol: m[0] });
    start = m.index + m[0].length;
  }
  if (start < text.length) lines.push({ text: text.slice(start), eol: '' });
  return lines;
}

function iniError(source: string, index: number, message: string, key: string | undefined, hint: string): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.CONFIG_INVALID, `${source}:${index + 1}: ${message}`, {
    target: source,
    hint,
    data: { file: source, line: index + 1, key },
  });
}
