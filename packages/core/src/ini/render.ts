import type { IniDocument, IniLine, IniOption, IniSection } from './parse.js';

/**
 * Line-level changes to an IniDocument. Everything not named here is written back exactly as read, which
 * is the point: comments, blank lines, spacing and continuation lines of untouched options survive.
 */
export class IniEdits {
  private readonly replaced = new Map<number, string[]>();
  private readonly removed = new Set<number>();
  private readonly before = new Map<number, string[]>();
  private readonly after = new Map<number, string[]>();

  constructor(private readonly doc: IniDocument) {}

  /** Give `option` a new single-line value, keeping its key spelling and the spacing around the delimiter. */
  setValue(option: IniOption, value: string): void {
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
    let at = section.header;
    while (at > 0 && /^\s*[#;]/.test(this.text(at - 1))) at--;
    const list = this.before.get(at) ?? [];
    list.push(`[${name}]`, ...options.map(([k, v]) => `${k}${this.separator(section)}${v}`), '');
    this.before.set(at, list);
  }

  /** The separator style of the section (`key = value` or `key=value`), else of the file, else ` = `. */
  separator(section?: IniSection): string {
    const sample = section?.options[0] ?? this.doc.sections.flatMap((s) => s.options)[0];
    if (!sample) return ' = ';
    const m = /^\s*[^=:]*?(\s*[=:][ \t]*)/.exec(this.text(sample.line));
    // dnf only knows `=`; a file written with `key: value` gets RawConfigParser's ` = ` in added lines.
    const sep = m?.[1];
    return sep && !sep.includes(':') ? sep : ' = ';
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
