import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import type { IniDocument, IniLine, IniOption, IniSection } from './parse.js';
import { lineProblem, repoIdProblem } from './values.js';

/**
 * Line-level changes to an IniDocument. Everything not named here is written back exactly as read, which
 * is the point: comments, blank lines, spacing and continuation lines of untouched options survive.
 *
 * What it adds is one line per value and a dnf repo id per new section, or it refuses (E_CONFIG_INVALID):
 * whatever the caller's checks missed can never add options or sections of its own to a config.
 */
export class IniEdits {
  private readonly replaced = new Map<number, string[]>();
  private readonly removed = new Set<number>();
  private readonly before = new Map<number, string[]>();
  private readonly after = new Map<number, string[]>();
  /** The file's separator style, worked out on first use (looking through every section each time is quadratic). */
  private fileSeparator: string | undefined;

  constructor(private readonly doc: IniDocument) {}

  /** Give `option` a new single-line value, keeping its key spelling and the spacing around the delimiter. */
  setValue(option: IniOption, value: string): void {
    this.checkValue(option.key, value, undefined, option.line);
    const line = this.text(option.line);
    const prefix = /^(\s*[^=:]*?\s*[=:][ \t]*)/.exec(line)?.[1] ?? `${option.key} = `;
    this.replaced.set(option.line, [`${prefix}${value}`]);
    for (let i = option.line + 1; i <= option.end; i++) this.removed.add(i);
  }

  /** Drop `option` with its continuation lines (and comments between them). */
  remove(option: IniOption): void {
    for (let i = option.line; i <= option.end; i++) this.removed.add(i);
  }

  /** Add `key<sep>value` after the section's last option (after the header when it has none). */
  append(section: IniSection, key: string, value: string): void {
    this.checkValue(key, value, section.name);
    const last = section.options.at(-1);
    const at = last ? last.end : section.header;
    const list = this.after.get(at) ?? [];
    list.push(`${key}${this.separator(section)}${value}`);
    this.after.set(at, list);
  }

  /**
   * Insert a whole new section before `section`, above the comment lines directly on top of its header
   * (they describe that section and must stay attached to it).
   */
  insertSectionBefore(section: IniSection, name: string, options: Array<[string, string]>): void {
    const problem = repoIdProblem(name);
    if (problem) throw this.refused(`section [${name}]: the repo id ${problem}`);
    for (const [key, value] of options) this.checkValue(key, value, name);
    let at = section.header;
    while (at > 0 && /^\s*[#;]/.test(this.text(at - 1))) at--;
    const list = this.before.get(at) ?? [];
    list.push(`[${name}]`, ...options.map(([k, v]) => `${k}${this.separator(section)}${v}`), '');
    this.before.set(at, list);
  }

  /** The separator style of the section (`key = value` or `key=value`), else of the file, else ` = `. */
  separator(section?: IniSection): string {
    const sample = section?.options[0];
    if (sample) return this.separatorOf(sample);
    this.fileSeparator ??= this.separatorOf(this.doc.sections.find((s) => s.options.length > 0)?.options[0]);
    return this.fileSeparator;
  }

  private separatorOf(sample: IniOption | undefined): string {
    if (!sample) return ' = ';
    const m = /^\s*[^=:]*?(\s*[=:][ \t]*)/.exec(this.text(sample.line));
    // dnf only knows `=`; a file written with `key: value` gets RawConfigParser's ` = ` in added lines.
    const sep = m?.[1];
    return sep && !sep.includes(':') ? sep : ' = ';
  }

  /** `section` names a new option's section; `line` (an index) an existing option's line. */
  private checkValue(key: string, value: string, section?: string, line?: number): void {
    const problem = lineProblem(key) ?? (/[=:[\]]/.test(key) ? 'is not an option name' : undefined);
    if (problem) throw this.refused(`the option name ${JSON.stringify(key)} ${problem}`, line);
    const valueProblem = lineProblem(value);
    if (valueProblem) throw this.refused(`"${key}"${section ? ` in [${section}]` : ''}: the value ${valueProblem}`, line);
  }

  private refused(what: string, line?: number): OvirtRepoError {
    return new OvirtRepoError(ErrorCodes.CONFIG_INVALID, `${this.doc.source}${line === undefined ? '' : `:${line + 1}`}: cannot write ${what}`, {
      target: this.doc.source,
      hint: 'a value written into a config is one line without control characters, and a new section a dnf repo id',
    });
  }

  private text(index: number): string {
    return this.doc.lines[index]?.text ?? '';
  }

  render(): string {
    const out: IniLine[] = [];
    const add = (text: string) => out.push({ text, eol: this.doc.eol });
    this.doc.lines.forEach((line, i) => {
      this.before.get(i)?.forEach(add);
      const replacement = this.replaced.get(i);
      if (replacement) {
        replacement.forEach((text, k) => out.push({ text, eol: k === replacement.length - 1 ? line.eol : this.doc.eol }));
      } else if (!this.removed.has(i)) {
        out.push(line);
      }
      this.after.get(i)?.forEach(add);
    });
    // Only the file's last line may lack a terminator; lines added after it need one between them.
    return out.map((l, i) => l.text + (l.eol === '' && i < out.length - 1 ? this.doc.eol : l.eol)).join('');
  }
}
